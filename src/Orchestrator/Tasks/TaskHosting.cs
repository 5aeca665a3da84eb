using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Callbacks;
using Orchestrator.Hosting;
using Orchestrator.Polling;
using Orchestrator.Providers;
using Orchestrator.ResultFiles;
using Orchestrator.Throttling;

namespace Orchestrator.Tasks;

/// <summary>Registers the task actors with a host's actor system: the supervisor of every task and the catalog that lists them.</summary>
public static class TaskHosting
{
    /// <summary>
    /// Starts <c>/user/tasks</c> (registered as <see cref="TaskSupervisor"/>) and <c>/user/catalog</c> (as
    /// <see cref="TaskCatalog"/>), from the orchestrator's services. Needs <see cref="ThrottleHosting.WithProviderThrottles"/>
    /// before it; the catalog's first read of the journal marks <see cref="OrchestratorReadiness"/>.
    /// </summary>
    public static AkkaConfigurationBuilder WithTaskActors(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry, resolver) =>
        {
            var runtime = new TaskRuntime(resolver.GetService<OrchestratorOptions>(), resolver.GetService<ProviderDirectory>(),
                resolver.GetService<TimeProvider>(), ActorRegistry.For(system).Get<ProviderThrottles>(), resolver.GetService<PollLearning>(),
                resolver.GetService<CallbackTokens>(), resolver.GetService<ResultRehoster>());
            var supervisor = system.ActorOf(TaskSupervisor.Props(runtime), "tasks");
            var catalog = system.ActorOf(TaskCatalog.Props(supervisor, resolver.GetService<OrchestratorReadiness>(),
                resolver.GetService<ILoggerFactory>()?.CreateLogger("Orchestrator.Tasks")), "catalog");
            registry.Register<TaskSupervisor>(supervisor);
            registry.Register<TaskCatalog>(catalog);
        });
}
