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
/// </summary>
internal sealed class TaskResumer : ReceiveActor
{
    private sealed record Woken(int Count, Address Removed);

    public TaskResumer(TaskReadModel reads, IActorRef tasks)
    {
        var log = Context.GetLogger();
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            var materializer = Context.System.Materializer();
            var self = Self;
            Task.Run(async () =>
            {
                var ids = new List<string>();
                await foreach (var id in reads.UnfinishedIdsAsync(CancellationToken.None)) ids.Add(id);
                await Source.From(ids)
                    .Throttle(TaskProjector.WakesPerSecond / 10, TimeSpan.FromMilliseconds(100), TaskProjector.WakesPerSecond / 10, ThrottleMode.Shaping)
                    .RunForeach(id => tasks.Tell(new WakeTask(id)), materializer);
                return new Woken(ids.Count, removed.Member.Address);
            }).PipeTo(self);
        });
        Receive<Woken>(w => log.Info("Node {0} left the cluster: woke {1} unfinished tasks", w.Removed, w.Count));
        Receive<Status.Failure>(f => log.Warning("Waking the unfinished tasks of a node that left failed: {0}", f.Cause.Message));
    }

    public static Props Props(TaskReadModel reads, IActorRef tasks) => Akka.Actor.Props.Create(typeof(TaskResumer), reads, tasks);

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
