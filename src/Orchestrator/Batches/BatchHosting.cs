using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Orchestrator.Hosting;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Throttling;

namespace Orchestrator.Batches;

/// <summary>Registers the batch directory (and through it every batch's actor) with a host's actor system.</summary>
public static class BatchHosting
{
    /// <summary>
    /// Starts <c>/user/batches</c> (registered as <see cref="BatchDirectory"/>). Needs the throttles and the task actors
    /// (<see cref="ThrottleHosting.WithProviderThrottles"/>, <see cref="TaskHosting.WithTaskActors"/>) before it.
    /// </summary>
    public static AkkaConfigurationBuilder WithBatches(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry, resolver) =>
        {
            system.ActorOf(BatchProjector.Props(resolver.GetService<ReadModelDatabase>(), resolver.GetService<BatchRegistry>()), "batch-projector");
            registry.Register<BatchDirectory>(system.ActorOf(DirectoryProps(system, resolver), "batches"));
        });

    /// <summary>
    /// Cluster mode's <see cref="WithBatches"/>: the batch directory, and with it every batch's actor, is one cluster
    /// singleton, so a batch has one writer of its persistence id whichever node its requests reach (a directory per node
    /// started a second incarnation of a batch read on another node, and every node woke every unfinished batch at start).
    /// Chosen over a <c>batches</c> shard region: the directory already wakes the batches with work left when it starts,
    /// which in a singleton is exactly the take-over after its node dies, and it keeps the task-id-prefix index that finds
    /// a task still queued in its batch. A batch's work is light (it releases tasks to the <c>tasks</c> region, where the
    /// work spreads over the nodes); the price is a hand-over gap when the singleton's node goes, during which batch
    /// requests wait in the proxies. Every node's <see cref="BatchDirectory"/> is the singleton's proxy; every node
    /// projects batches into the read model, idempotently, as it does tasks.
    /// </summary>
    internal static AkkaConfigurationBuilder WithClusterBatches(this AkkaConfigurationBuilder builder) => builder
        .WithActors((system, _, resolver) =>
            system.ActorOf(BatchProjector.Props(resolver.GetService<ReadModelDatabase>(), resolver.GetService<BatchRegistry>()), "batch-projector"))
        .WithSingleton<BatchDirectory>("batches", (system, _, resolver) => DirectoryProps(system, resolver), new ClusterSingletonOptions(), createProxyToo: true);

    private static Props DirectoryProps(ActorSystem system, Akka.DependencyInjection.IDependencyResolver resolver)
    {
        var actors = ActorRegistry.For(system);
        var runtime = new BatchRuntime(resolver.GetService<OrchestratorOptions>(), resolver.GetService<TimeProvider>(),
            actors.Get<TaskSupervisor>(), resolver.GetService<TaskReadModel>(), actors.Get<ProviderThrottles>(), resolver.GetService<BatchRegistry>());
        return BatchDirectory.Props(runtime);
    }
}
