using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;

namespace Orchestrator.Cluster;

/// <summary>
/// Starts again the tasks of a node that left the cluster (crashed and downed, or stopped): when a member is removed,
/// every unfinished task in the read model is woken through the shard region. A task still running elsewhere ignores
/// the wake; one whose shard lived on the removed node starts where its shard is allocated now and recovers from the
/// journal. Every node does it (a wake is a message to an entity that ignores it): no single node has to be the one.
/// The index is read only once this node's projector has written everything the journal held when the member was
/// removed: the projector runs behind the journal (seconds under load, and ten seconds after a crash, for the gap the
/// dead node's unfinished write leaves in the ordering), and a task the removed node accepted but the index did not
/// hold yet would never have been woken. Sleeping tasks are left to <see cref="TaskWaker"/>, which wakes them on time
/// with their polling progress, wherever they slept.
/// </summary>
internal sealed class TaskResumer : ReceiveActor
{
    private sealed record Woken(int Count, Address Removed, TimeSpan CaughtUpAfter);

    public TaskResumer(TaskReadModel reads, IActorRef tasks)
    {
        var log = Context.GetLogger();
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            var materializer = Context.System.Materializer();
            var self = Self;
            Task.Run(async () =>
            {
                await Task.Delay(RegionsForgetTheNode);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                await CaughtUpWithJournalAsync(reads, log);
                var caughtUp = clock.Elapsed;
                var ids = new List<string>();
                await foreach (var id in reads.UnfinishedIdsAsync(CancellationToken.None, awakeOnly: true)) ids.Add(id);
                await Source.From(ids)
                    .Throttle(TaskProjector.WakesPerSecond / 10, TimeSpan.FromMilliseconds(100), TaskProjector.WakesPerSecond / 10, ThrottleMode.Shaping)
                    .RunForeach(id => tasks.Tell(new WakeTask(id)), materializer);
                return new Woken(ids.Count, removed.Member.Address, caughtUp);
            }).PipeTo(self);
        });
        Receive<Woken>(w => log.Info("Node {0} left the cluster: woke {1} unfinished tasks, once the read model had caught up with the journal ({2} s)",
            w.Removed, w.Count, w.CaughtUpAfter.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)));
        Receive<Status.Failure>(f => log.Warning("Waking the unfinished tasks of a node that left failed: {0}", f.Cause.Message));
    }

    /// <summary>
    /// How long a removal waits before it reads whom to wake. This node's shard region learns that the removed node's
    /// region is gone at about the moment this actor hears of the removal; a wake sent before that goes to the dead region
    /// and is lost. So are the waker's wakes for the dead node's sleeping tasks between the node's death and its removal,
    /// which already deleted their rows: waiting here means those tasks are read as awake and woken again, through a
    /// region that now allocates their shards anew (ClusterSleepingTests lost 11 of 20 tasks to this race once).
    /// </summary>
    private static readonly TimeSpan RegionsForgetTheNode = TimeSpan.FromSeconds(5);

    /// <summary>How long a removal waits for the projector before it wakes what the index holds anyway.</summary>
    private static readonly TimeSpan CatchUpWithin = TimeSpan.FromMinutes(2);

    /// <summary>Waits until the read model holds every task event in the journal now (the removed node writes no more).</summary>
    private static async Task CaughtUpWithJournalAsync(TaskReadModel reads, ILoggingAdapter log)
    {
        if (!await reads.SettleAsync(CatchUpWithin, CancellationToken.None))
            log.Warning("The read model is still behind the journal (at offset {0}) after {1}: waking the unfinished tasks it holds",
                reads.Progress.Offset, CatchUpWithin);
    }

    public static Props Props(TaskReadModel reads, IActorRef tasks) => Akka.Actor.Props.Create(typeof(TaskResumer), reads, tasks);

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
