using Akka.Actor;
using Akka.Event;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;

namespace Orchestrator.Cluster;

/// <summary>
/// Cluster mode's alarm clock for sleeping tasks, one for the cluster (a singleton: two would only send every wake
/// twice). It reads the due rows of <see cref="TaskWakeUpTable"/>, earliest first, sends each task a
/// <see cref="WakeTask"/> carrying its resume through the <c>tasks</c> region (which starts it wherever its shard
/// lives), then deletes the rows it handed over. A wake sent twice (this singleton moved between send and delete) or to
/// a task already awake is ignored by the task; the rows of a dead node's sleeping tasks are woken here all the same.
/// </summary>
internal sealed class TaskWaker : ReceiveActor, IWithTimers
{
    private sealed record Tick;
    private sealed record Woke(int Count);

    /// <summary>One page per tick: a full page is followed by the next after <see cref="Hurry"/>, so wakes never exceed
    /// <see cref="TaskProjector.WakesPerSecond"/> (each is a journal read) however many fall due at once.</summary>
    internal const int PageSize = TaskProjector.WakesPerSecond / 10;
    internal static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan Hurry = TimeSpan.FromMilliseconds(100);

    /// <summary>When to look again after a page of <paramref name="woken"/> rows: at once-ish if more may be due.</summary>
    internal static TimeSpan NextLookAfter(int woken) => woken >= PageSize ? Hurry : Every;

    public ITimerScheduler Timers { get; set; } = null!;

    public TaskWaker(TaskWakeUpTable table, IActorRef tasks, TimeProvider clock)
    {
        var log = Context.GetLogger();
        Receive<Tick>(_ =>
        {
            var self = Self;
            WakeDueAsync(table, tasks, clock).PipeTo(self, success: n => new Woke(n));
        });
        Receive<Woke>(w =>
        {
            if (w.Count > 0) log.Debug("Woke {0} sleeping tasks", w.Count);
            Timers.StartSingleTimer("tick", new Tick(), NextLookAfter(w.Count));
        });
        Receive<Status.Failure>(f =>
        {
            // The database is away for a moment: the rows wait there, and are woken late rather than lost.
            log.Warning("Waking sleeping tasks failed, trying again in {0}: {1}", Every, f.Cause.Message);
            Timers.StartSingleTimer("tick", new Tick(), Every);
        });
    }

    private static async Task<int> WakeDueAsync(TaskWakeUpTable table, IActorRef tasks, TimeProvider clock)
    {
        var due = await table.DueAsync(clock.GetUtcNow(), PageSize, CancellationToken.None);
        foreach (var row in due) tasks.Tell(new WakeTask(row.TaskId, row.Resume));
        await table.HandedOverAsync(due, CancellationToken.None);
        return due.Count;
    }

    protected override void PreStart() => Self.Tell(new Tick());

    public static Props Props(TaskWakeUpTable table, IActorRef tasks, TimeProvider clock) =>
        Akka.Actor.Props.Create(typeof(TaskWaker), table, tasks, clock);
}
