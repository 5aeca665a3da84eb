using Akka.Actor;
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
            var actors = ActorRegistry.For(system);
            var batchRows = resolver.GetService<BatchRegistry>();
            var runtime = new BatchRuntime(resolver.GetService<OrchestratorOptions>(), resolver.GetService<TimeProvider>(),
                actors.Get<TaskSupervisor>(), resolver.GetService<TaskReadModel>(), actors.Get<ProviderThrottles>(), batchRows);
            system.ActorOf(BatchProjector.Props(resolver.GetService<ReadModelDatabase>(), batchRows), "batch-projector");
            registry.Register<BatchDirectory>(system.ActorOf(BatchDirectory.Props(runtime), "batches"));
        });
}
