using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging;
using Orchestrator.Tasks;

namespace Orchestrator.ReadModel;

/// <summary>
/// Keeps <c>orchestrator_tasks</c> up with the journal: at start it reads the "task" tag from its stored offset to the
/// end (only what was written since the last run), marks the read model caught up, wakes the unfinished tasks it finds
/// through the index (paced, so a restart with many does not flood the journal with recoveries) and marks the node
/// ready; then it follows the tag live, a page at a time. It also clears the live views of stopped actors once their
/// writes are projected, and writes the one log line per ended task.
/// </summary>
internal sealed class TaskProjector : ReceiveActor, IWithTimers
{
    private sealed record CaughtUp(long Offset);
    private sealed record StreamFailed(Exception Cause);
    private sealed record Start;
    private sealed record SweepStopped;
    private sealed record Swept;

    /// <summary>Cluster mode: how many unfinished tasks a start wakes per second (each one's recovery is a journal read).</summary>
    public const int WakesPerSecond = 2000;

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1);

    private readonly ReadModelDatabase _db;
    private readonly TaskProjectionWriter _writer;
    private readonly TaskReadModel _reads;
    // Cluster mode: a sleeping task has a wake-up row and the waker wakes it on time; a start leaves it asleep.
    private readonly bool _sleepersHaveRows;
    private readonly LiveTaskViews _live;
    private readonly IActorRef _supervisor;
    private readonly OrchestratorReadiness _readiness;
    private readonly ILogger? _log;
    private readonly ILoggingAdapter _akkaLog = Context.GetLogger();
    private readonly SharedKillSwitch _kill = KillSwitches.Shared("task-projector");
    private bool _sweeping;

    public ITimerScheduler Timers { get; set; } = null!;

    public TaskProjector(ReadModelDatabase db, TaskReadModel reads, LiveTaskViews live, IActorRef supervisor, OrchestratorReadiness readiness, ILogger? log,
        bool sleepersHaveRows)
    {
        _sleepersHaveRows = sleepersHaveRows;
        _db = db;
        _writer = new TaskProjectionWriter(db);
        _reads = reads;
        _live = live;
        _supervisor = supervisor;
        _readiness = readiness;
        _log = log;

        ReceiveAsync<Start>(async _ =>
        {
            try
            {
                await Persistence.JournalTables.EnsureAsync(Context.System, db);
                await db.EnsureSchemaAsync(CancellationToken.None);
                var offset = await _writer.LoadOffsetAsync(CancellationToken.None);
                Follow(offset, live: false);
            }
            catch (Exception ex)
            {
                Self.Tell(new StreamFailed(ex));
            }
        });
        ReceiveAsync<CaughtUp>(async c =>
        {
            Progress.Advance(c.Offset, []);
            Progress.MarkCaughtUp();
            await db.EnsureSchemaAsync(CancellationToken.None); // the journal's tag table exists by now: index it
            Follow(c.Offset, live: true);
            await ResumeUnfinishedAsync();
        });
        Receive<StreamFailed>(f =>
        {
            _akkaLog.Error(f.Cause, "The task read model stopped following the journal; retrying in {0} s", RetryAfter.TotalSeconds);
            Timers.StartSingleTimer("retry", new Start(), RetryAfter);
        });
        Receive<SweepStopped>(_ =>
        {
            if (_sweeping) return;
            var stopped = _live.DrainStopped();
            if (stopped.Count == 0) return;
            _sweeping = true;
            _reads.ProjectedSeqsAsync(stopped.Select(s => s.TaskId).ToList(), CancellationToken.None).ContinueWith(t =>
            {
                foreach (var (id, seq) in stopped)
                {
                    // Not projected yet (or the read failed): look again on the next sweep. (A task retention removed
                    // has no row, but retention removes its live view itself.)
                    var projected = t.IsCompletedSuccessfully && t.Result.TryGetValue(id, out var p) ? p : -1;
                    if (projected < seq || !_live.Projected(id, projected)) _live.StillWaiting(id);
                }
                return new Swept();
            }, TaskScheduler.Default).PipeTo(Self);
        });
        Receive<Swept>(_ => _sweeping = false);
    }

    private ProjectionProgress Progress => _reads.Progress;

    public static Props Props(ReadModelDatabase db, TaskReadModel reads, LiveTaskViews live, IActorRef supervisor, OrchestratorReadiness readiness, ILogger? log,
        bool sleepersHaveRows = false) =>
        Akka.Actor.Props.Create(typeof(TaskProjector), db, reads, live, supervisor, readiness, log, sleepersHaveRows);

    protected override void PreStart()
    {
        Self.Tell(new Start());
        Timers.StartPeriodicTimer("sweep", new SweepStopped(), SweepEvery);
    }

    protected override void PostStop() => _kill.Shutdown();

    /// <summary>Reads the tag from <paramref name="offset"/>: to its current end (then <see cref="CaughtUp"/>), or live, for good.</summary>
    private void Follow(long offset, bool live)
    {
        var self = Self;
        TagFollower.Follow(Context.System, _db, GenerationTask.JournalTag, offset, live, _kill, page => _writer.WriteAsync(page, CancellationToken.None), Projected)
            .ContinueWith(t =>
            {
                if (t.IsFaulted) self.Tell(new StreamFailed(t.Exception!.GetBaseException()));
                else if (!live) self.Tell(new CaughtUp(Math.Max(offset, Progress.Offset)));
            }, TaskScheduler.Default);
    }

    /// <summary>Runs on the stream's thread: everything here is safe to call from any thread.</summary>
    private void Projected(ProjectedPage page)
    {
        var ended = page.Tasks.Where(t => t.JustEnded).Select(t => t.View).ToList();
        Progress.Advance(page.Offset, ended);
        foreach (var t in page.Tasks) _live.Projected(t.View.Id, t.TaskSeq);
        if (_log is not null) foreach (var view in ended) TaskEndLog.Ended(_log, view);
    }

    private async Task ResumeUnfinishedAsync()
    {
        var ids = new List<string>();
        await foreach (var id in _reads.UnfinishedIdsAsync(CancellationToken.None, awakeOnly: _sleepersHaveRows)) ids.Add(id);
        if (!_sleepersHaveRows)
        {
            // A single node's supervisor reads them back in bulk and lets those that only wait sleep (TaskSupervisor.Resume).
            _supervisor.Tell(new ResumeUnfinished(ids));
            _akkaLog.Info("Task read model caught up at offset {0}; resuming {1} unfinished tasks", Progress.Offset, ids.Count);
            _readiness.MarkReady();
            return;
        }
        var supervisor = _supervisor;
        // Tasks already woken (or started) by a message meanwhile just get another wake, which they ignore.
        _ = Source.From(ids)
            .Throttle(WakesPerSecond / 10, TimeSpan.FromMilliseconds(100), WakesPerSecond / 10, ThrottleMode.Shaping)
            .Via(_kill.Flow<string>())
            .RunForeach(id => supervisor.Tell(new WakeTask(id)), Context.System.Materializer());
        _akkaLog.Info("Task read model caught up at offset {0}; resuming {1} unfinished tasks ({2}/s)", Progress.Offset, ids.Count, WakesPerSecond);
        _readiness.MarkReady();
    }
}
