using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Persistence;

namespace Orchestrator.Tasks;

/// <summary>
/// This node's read model of all tasks, for listing and for waiting on an end. At start it folds the journal
/// (events by tag) into views and wakes every task that has not ended, so a restart resumes all work; after
/// that it follows the views task actors publish. It sees every end, so it writes the one log line per ended task.
/// </summary>
internal sealed class TaskCatalog : ReceiveActor
{
    private sealed record Loaded;
    private sealed record LoadFailed(Exception Cause);

    private readonly IActorRef _supervisor;
    private readonly OrchestratorReadiness _readiness;
    private readonly Dictionary<string, TaskView> _views = new();
    private readonly SortedSet<(DateTimeOffset CreatedAt, string Id)> _newestFirst = new(NewestFirst.Instance);
    private readonly Dictionary<string, List<IActorRef>> _waiters = new();
    // Per batch: its started tasks by upload line, and counts by status.
    private readonly Dictionary<string, BatchTasks> _batches = new();
    private readonly List<(object Query, IActorRef Sender)> _heldUntilLoaded = [];
    private Dictionary<string, TaskState>? _loading = new();
    private long _loadedOffset;
    private readonly ILogger _log;

    public TaskCatalog(IActorRef supervisor, OrchestratorReadiness readiness, ILogger log)
    {
        _supervisor = supervisor;
        _readiness = readiness;
        _log = log;

        Receive<EventEnvelope>(e =>
        {
            if (_loading is null) return;
            if (e.Offset is Sequence seq && seq.Value > _loadedOffset) _loadedOffset = seq.Value;
            if (e.Event is not ITaskEvent te) return;
            _loading[te.TaskId] = _loading.GetValueOrDefault(te.TaskId, TaskState.Empty).Apply(te);
        });
        Receive<Loaded>(_ => FinishLoading());
        Receive<LoadFailed>(f => throw new InvalidOperationException("Could not read the journal at start-up.", f.Cause));
        Receive<TaskViewChanged>(c =>
        {
            var ended = c.View.Status.IsTerminal() && _views.GetValueOrDefault(c.View.Id)?.Status.IsTerminal() != true;
            Upsert(c.View);
            if (ended) TaskEndLog.Ended(_log, c.View);
        });
        // An `after` that names no task would otherwise quietly restart the listing from the newest task.
        Receive<ListTasks>(q => Sender.Tell(q.After is not null && !_views.ContainsKey(q.After) ? new TaskNotFound(q.After) : Page(q)));
        Receive<GetBatchLines>(q => WhenLoaded(q, () => new BatchLines(q.BatchId, !_batches.TryGetValue(q.BatchId, out var b) ? new HashSet<int>()
            : q.EndedOnly ? b.Lines.Where(kv => _views[kv.Value].Status.IsTerminal()).Select(kv => kv.Key).ToHashSet()
            : b.Lines.Keys.ToHashSet())));
        Receive<GetBatchTally>(q => WhenLoaded(q, () => _batches.TryGetValue(q.BatchId, out var b)
            ? new BatchTally(q.BatchId, new Dictionary<TaskLifecycle, int>(b.Counts), b.Lines.Count, b.LastEndedAt)
            : new BatchTally(q.BatchId, new Dictionary<TaskLifecycle, int>(), 0, null)));
        Receive<ListBatchTasks>(q => WhenLoaded(q, () => BatchPage(q)));
        Receive<GetLoadedOffset>(q => WhenLoaded(q, () => new LoadedOffset(_loadedOffset)));
        Receive<CountUnfinished>(q => WhenLoaded(q, () => new UnfinishedByAccount(_views.Values.Where(v => !v.Status.IsTerminal())
            .GroupBy(v => v.Provider, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase))));
        Receive<AwaitTaskEnd>(w =>
        {
            if (_views.TryGetValue(w.TaskId, out var v) && v.Status.IsTerminal()) Sender.Tell(v);
            else if (!_views.ContainsKey(w.TaskId) && _loading is null) Sender.Tell(new TaskNotFound(w.TaskId));
            else (_waiters.TryGetValue(w.TaskId, out var list) ? list : _waiters[w.TaskId] = []).Add(Sender);
        });
    }

    /// <param name="supervisor">Wakes the tasks that had not ended at start.</param>
    /// <param name="readiness">Marked once the journal has been read.</param>
    /// <param name="log">Where each task's end is written (one Information line); none when null.</param>
    public static Props Props(IActorRef supervisor, OrchestratorReadiness readiness, ILogger? log = null) =>
        Akka.Actor.Props.Create(() => new TaskCatalog(supervisor, readiness, log ?? NullLogger.Instance));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(TaskViewChanged));
        var journal = OrchestratorPersistence.ReadJournal(Context.System);
        journal.CurrentEventsByTag(GenerationTask.JournalTag, Offset.NoOffset())
            .RunWith(Sink.ActorRef<EventEnvelope>(Self, new Loaded(), ex => new LoadFailed(ex)), Context.System.Materializer());
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void FinishLoading()
    {
        var loaded = _loading!;
        _loading = null;
        var woken = 0;
        foreach (var state in loaded.Values.Where(s => s.Exists))
        {
            // A live view (published since start) is newer than anything folded from the journal.
            if (!_views.ContainsKey(state.TaskId)) Upsert(TaskView.From(state));
            if (!state.IsTerminal) { _supervisor.Tell(new WakeTask(state.TaskId)); woken++; }
        }
        foreach (var id in _waiters.Keys.Where(id => !_views.ContainsKey(id)).ToList())
        {
            foreach (var w in _waiters[id]) w.Tell(new TaskNotFound(id));
            _waiters.Remove(id);
        }
        foreach (var (q, sender) in _heldUntilLoaded) Self.Tell(q, sender);
        _heldUntilLoaded.Clear();
        Context.System.Log.Info("Task catalog loaded {0} tasks from the journal; resumed {1} that had not ended", loaded.Count, woken);
        _readiness.MarkReady();
    }

    private void WhenLoaded(object query, Func<object> answer)
    {
        if (_loading is not null) _heldUntilLoaded.Add((query, Sender));
        else Sender.Tell(answer());
    }

    private BatchTaskPage BatchPage(ListBatchTasks q)
    {
        if (!_batches.TryGetValue(q.BatchId, out var b)) return new BatchTaskPage([], null);
        var items = new List<TaskView>();
        int? next = null;
        foreach (var (_, id) in b.Lines.Where(kv => kv.Key > q.AfterLine))
        {
            var v = _views[id];
            if (q.EndedOnly && !v.Status.IsTerminal()) continue;
            if (items.Count == q.Limit) { next = items[^1].BatchLine; break; }
            items.Add(v);
        }
        return new BatchTaskPage(items, next);
    }

    private void TallyBatch(TaskView? old, TaskView view)
    {
        if (view.BatchId is not { } batchId || view.BatchLine is not { } line) return;
        if (!_batches.TryGetValue(batchId, out var b)) _batches[batchId] = b = new BatchTasks();
        if (old is not null) b.Counts[old.Status]--;
        b.Counts[view.Status] = b.Counts.GetValueOrDefault(view.Status) + 1;
        b.Lines[line] = view.Id;
        if (view.CompletedAt is { } ended && (b.LastEndedAt is null || ended > b.LastEndedAt)) b.LastEndedAt = ended;
    }

    /// <summary>A batch's started tasks by upload line, their counts by status, and when the last of them ended.</summary>
    private sealed class BatchTasks
    {
        public SortedDictionary<int, string> Lines { get; } = new();
        public Dictionary<TaskLifecycle, int> Counts { get; } = new();
        public DateTimeOffset? LastEndedAt { get; set; }
    }

    private void Upsert(TaskView view)
    {
        var previous = _views.GetValueOrDefault(view.Id);
        TallyBatch(previous, view);
        if (_views.TryGetValue(view.Id, out var old)) _newestFirst.Remove((old.CreatedAt, old.Id));
        _views[view.Id] = view;
        _newestFirst.Add((view.CreatedAt, view.Id));
        if (view.Status.IsTerminal() && _waiters.Remove(view.Id, out var waiters))
            foreach (var w in waiters) w.Tell(view);
    }

    private TaskPage Page(ListTasks q)
    {
        IEnumerable<(DateTimeOffset CreatedAt, string Id)> keys = _newestFirst;
        if (q.After is not null && _views.TryGetValue(q.After, out var after))
            keys = _newestFirst.GetViewBetween((after.CreatedAt, after.Id), _newestFirst.Max).Skip(1);
        var items = keys.Select(k => _views[k.Id])
            .Where(v => q.Status is null || v.Status == q.Status)
            .Where(v => q.Provider is null || string.Equals(v.Provider, q.Provider, StringComparison.OrdinalIgnoreCase))
            .Take(q.Limit + 1)
            .ToList();
        var more = items.Count > q.Limit;
        if (more) items.RemoveAt(items.Count - 1);
        return new TaskPage(items, more ? items[^1].Id : null);
    }

    private sealed class NewestFirst : IComparer<(DateTimeOffset CreatedAt, string Id)>
    {
        public static readonly NewestFirst Instance = new();
        public int Compare((DateTimeOffset CreatedAt, string Id) x, (DateTimeOffset CreatedAt, string Id) y)
        {
            var c = y.CreatedAt.CompareTo(x.CreatedAt);
            return c != 0 ? c : string.CompareOrdinal(y.Id, x.Id);
        }
    }
}

/// <summary>Set once the journal has been read and interrupted tasks resumed; <c>/healthz</c> answers 200 after it.</summary>
internal sealed class OrchestratorReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public bool IsReady => _ready.Task.IsCompleted;
    public Task WhenReady => _ready.Task;
    public void MarkReady() => _ready.TrySetResult();
}
