using Akka.Actor;
using Akka.Event;
using Orchestrator.Hosting;
using Orchestrator.ReadModel;
using Orchestrator.ResultFiles;

namespace Orchestrator.Retention;

/// <summary>
/// Every <see cref="RetentionOptions.SweepSeconds"/>, removes the ended tasks older than
/// <see cref="RetentionOptions.EndedTaskDays"/> in steps of <see cref="RetentionOptions.BatchSize"/> (result files,
/// journal, read model) until none is left, one step at a time so journal writes never wait behind a long delete.
/// </summary>
internal sealed class RetentionSweeper : ReceiveActor, IWithTimers
{
    private sealed record Sweep;
    private sealed record Step(int Removed, Exception? Failure);

    private readonly RetentionOptions _options;
    private readonly EndedTaskPurge _purge;
    private readonly IResultStore? _results;
    private readonly TimeProvider _clock;
    private readonly LiveTaskViews _live;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _running;
    private int _removed;

    public ITimerScheduler Timers { get; set; } = null!;

    public RetentionSweeper(RetentionOptions options, EndedTaskPurge purge, IResultStore? results, LiveTaskViews live, TimeProvider clock)
    {
        _live = live;
        _options = options;
        _purge = purge;
        _results = results;
        _clock = clock;
        Receive<Sweep>(_ =>
        {
            if (_running) return;
            _running = true;
            _removed = 0;
            RunStep();
        });
        Receive<Step>(s =>
        {
            _removed += s.Removed;
            if (s.Failure is null && s.Removed == _options.BatchSize) { RunStep(); return; }
            _running = false;
            if (s.Failure is not null) _log.Warning("Retention: removing ended tasks failed ({0}); trying again at the next sweep", s.Failure.Message);
            if (_removed > 0) _log.Info("Retention: removed {0} tasks that ended more than {1} days ago", _removed, _options.EndedTaskDays);
        });
    }

    public static Props Props(RetentionOptions options, EndedTaskPurge purge, IResultStore? results, LiveTaskViews live, TimeProvider clock) =>
        Akka.Actor.Props.Create(typeof(RetentionSweeper), options, purge, results, live, clock);

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(Sweep), new Sweep(), TimeSpan.FromSeconds(Math.Min(_options.SweepSeconds, 60)), TimeSpan.FromSeconds(_options.SweepSeconds));

    private void RunStep()
    {
        var cutoff = _clock.GetUtcNow() - TimeSpan.FromDays(_options.EndedTaskDays);
        StepAsync(cutoff).PipeTo(Self, success: n => new Step(n, null), failure: ex => new Step(0, ex));
    }

    private async Task<int> StepAsync(DateTimeOffset cutoff)
    {
        var due = await _purge.DueAsync(cutoff, _options.BatchSize, CancellationToken.None);
        if (_results is not null) foreach (var id in due) await _results.DeleteAsync(id, CancellationToken.None);
        await _purge.DeleteAsync(due, CancellationToken.None);
        foreach (var id in due) _live.Purged(id);
        return due.Count;
    }
}
