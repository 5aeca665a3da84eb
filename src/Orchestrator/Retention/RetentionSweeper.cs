using Akka.Actor;
using Akka.Event;
using Orchestrator.Batches;
using Orchestrator.Hosting;
using Orchestrator.ReadModel;
using Orchestrator.ResultFiles;

namespace Orchestrator.Retention;

/// <summary>
/// Every <see cref="RetentionOptions.SweepSeconds"/>, removes the ended tasks older than
/// <see cref="RetentionOptions.EndedTaskDays"/> in steps of <see cref="RetentionOptions.BatchSize"/> (result files,
/// journal, read model), then the batches whose every task ended that long ago (their tasks in the same steps, then the
/// batch), until none is left, one step at a time so journal writes never wait behind a long delete.
/// </summary>
internal sealed class RetentionSweeper : ReceiveActor, IWithTimers
{
    private sealed record Sweep;
    private sealed record Step(int Tasks, int Batches, Exception? Failure);

    private readonly RetentionOptions _options;
    private readonly EndedTaskPurge _purge;
    private readonly EndedBatchPurge _batches;
    private readonly IResultStore? _results;
    private readonly TimeProvider _clock;
    private readonly LiveTaskViews _live;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly EventStream _events = Context.System.EventStream;
    private readonly Akka.Hosting.ActorRegistry _registry = Akka.Hosting.ActorRegistry.For(Context.System);
    private bool _running;
    private int _removed;
    private int _removedBatches;

    public ITimerScheduler Timers { get; set; } = null!;

    public RetentionSweeper(RetentionOptions options, EndedTaskPurge purge, EndedBatchPurge batches, IResultStore? results, LiveTaskViews live, TimeProvider clock)
    {
        _live = live;
        _options = options;
        _purge = purge;
        _batches = batches;
        _results = results;
        _clock = clock;
        Receive<Sweep>(_ =>
        {
            if (_running) return;
            _running = true;
            _removed = _removedBatches = 0;
            RunStep();
        });
        Receive<Step>(s =>
        {
            _removed += s.Tasks;
            _removedBatches += s.Batches;
            if (s.Failure is null && s.Tasks + s.Batches > 0) { RunStep(); return; }
            _running = false;
            if (s.Failure is not null) _log.Warning("Retention: removing ended tasks failed ({0}); trying again at the next sweep", s.Failure.Message);
            if (_removed + _removedBatches > 0)
                _log.Info("Retention: removed {0} tasks and {1} batches that ended more than {2} days ago", _removed, _removedBatches, _options.EndedTaskDays);
        });
    }

    public static Props Props(RetentionOptions options, ReadModelDatabase db, IResultStore? results, LiveTaskViews live, TimeProvider clock)
    {
        return Akka.Actor.Props.Create(typeof(RetentionSweeper), options, new EndedTaskPurge(db), new EndedBatchPurge(db), results, live, clock);
    }

    protected override void PreStart()
    {
        if (_options.EndedTaskDays <= 0) return; // kept forever (cluster mode starts the singleton either way)
        Timers.StartPeriodicTimer(nameof(Sweep), new Sweep(), TimeSpan.FromSeconds(Math.Min(_options.SweepSeconds, 60)), TimeSpan.FromSeconds(_options.SweepSeconds));
    }

    private void RunStep()
    {
        var cutoff = _clock.GetUtcNow() - TimeSpan.FromDays(_options.EndedTaskDays);
        StepAsync(cutoff).PipeTo(Self, failure: ex => new Step(0, 0, ex));
    }

    /// <summary>One bounded step: standalone tasks first, then the tasks of one expired batch, then that batch itself.</summary>
    private async Task<Step> StepAsync(DateTimeOffset cutoff)
    {
        var ct = CancellationToken.None;
        var due = await _purge.DueAsync(cutoff, _options.BatchSize, ct);
        if (due.Count > 0) return new Step(await RemoveTasksAsync(due), 0, null);
        if (await _batches.NextAsync(cutoff, ct) is not { } batchId) return new Step(0, 0, null);
        var tasks = await _batches.TasksAsync(batchId, _options.BatchSize, ct);
        if (tasks.Count > 0) return new Step(await RemoveTasksAsync(tasks), 0, null);
        await _batches.DeleteBatchAsync(batchId, ct);
        // The batch directory keeps what it knows of the batch: told directly, since in cluster mode it is a singleton that
        // may live on another node (only a directory started without a registry hears it on this node's event stream).
        if (_registry.TryGet<BatchDirectory>(out var directory)) directory.Tell(new BatchPurged(batchId));
        else _events.Publish(new BatchPurged(batchId));
        return new Step(0, 1, null);
    }

    private async Task<int> RemoveTasksAsync(IReadOnlyList<string> ids)
    {
        if (_results is not null) foreach (var id in ids) await _results.DeleteAsync(id, CancellationToken.None);
        await _purge.DeleteAsync(ids, CancellationToken.None);
        foreach (var id in ids) _live.Purged(id);
        return ids.Count;
    }
}
