using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Persistence;
using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>
/// Owns one <see cref="BatchActor"/> per batch and routes <see cref="IBatchCommand"/>s to it by id. At start it reads
/// the batch events and wakes every batch that may still have tasks to hand over; it also knows which batch a task
/// id's prefix belongs to, so a task still queued in its batch can be answered.
/// </summary>
internal sealed class BatchDirectory : ReceiveActor
{
    private sealed record Loaded;

    private readonly BatchRuntime _rt;
    private readonly Dictionary<string, IActorRef> _children = new();
    private readonly Dictionary<string, string> _byPrefix = new();
    private readonly HashSet<string> _known = new();
    private readonly Dictionary<string, bool> _live = new();
    private List<(object Message, IActorRef Sender)>? _pending = [];

    public BatchDirectory(BatchRuntime runtime)
    {
        _rt = runtime;
        Receive<EventEnvelope>(e =>
        {
            switch (e.Event)
            {
                case BatchOpened o: Know(o.BatchId); _live[o.BatchId] = false; break;
                case BatchSealed s: _live[s.BatchId] = true; break;
                case BatchAbandoned a: _live[a.BatchId] = false; break;
                // A cancelled batch is woken too: it finishes writing its queued tasks' ends if a restart cut that short.
                case BatchCancelled c: _live[c.BatchId] = true; break;
            }
        });
        Receive<Loaded>(_ =>
        {
            foreach (var (id, live) in _live.Where(kv => kv.Value)) Route(new WakeBatch(id), Self);
            _live.Clear();
            var pending = _pending!;
            _pending = null;
            foreach (var (m, s) in pending) Self.Tell(m, s);
        });
        Receive<Status.Failure>(f => throw new InvalidOperationException("Could not read the batch journal at start-up.", f.Cause));
        Receive<IBatchCommand>(c =>
        {
            if (_pending is not null) { _pending.Add((c, Sender)); return; }
            if (c is OpenBatch) Know(c.BatchId);
            // No actor is started for an id no batch ever had.
            if (_known.Contains(c.BatchId)) Route(c, Sender);
            else if (c is GetQueuedTask q) Sender.Tell(new TaskNotFound(q.TaskId));
            else Sender.Tell(new BatchNotFound(c.BatchId));
        });
        Receive<FindQueuedTask>(q =>
        {
            if (_pending is not null) { _pending.Add((q, Sender)); return; }
            if (BatchIds.Parse(q.TaskId) is { } p && _byPrefix.TryGetValue(p.Prefix, out var batchId))
                Route(new GetQueuedTask(batchId, q.TaskId, p.Line), Sender);
            else Sender.Tell(new TaskNotFound(q.TaskId));
        });
    }

    public static Props Props(BatchRuntime runtime) => Akka.Actor.Props.Create(typeof(BatchDirectory), runtime);

    protected override void PreStart()
    {
        var journal = OrchestratorPersistence.ReadJournal(Context.System);
        journal.CurrentEventsByTag(BatchActor.JournalTag, Offset.NoOffset())
            .RunWith(Sink.ActorRef<EventEnvelope>(Self, new Loaded(), ex => new Status.Failure(ex)), Context.System.Materializer());
    }

    private void Know(string batchId)
    {
        _known.Add(batchId);
        _byPrefix[BatchIds.Prefix(batchId)] = batchId;
    }

    private void Route(IBatchCommand cmd, IActorRef sender)
    {
        if (!_children.TryGetValue(cmd.BatchId, out var child))
        {
            child = Context.ActorOf(BatchActor.Props(_rt, cmd.BatchId), cmd.BatchId);
            _children[cmd.BatchId] = child;
        }
        child.Tell(cmd, sender);
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(maxNrOfRetries: 10, withinTimeRange: TimeSpan.FromMinutes(1), localOnlyDecider: _ => Directive.Restart);
}
