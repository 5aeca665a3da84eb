using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Callbacks;
using Orchestrator.Hosting;
using Orchestrator.Polling;
using Orchestrator.Providers;
using Orchestrator.ReadModel;
using Orchestrator.ResultFiles;
using Orchestrator.Retention;
using Orchestrator.Throttling;

namespace Orchestrator.Tasks;

/// <summary>Registers the task actors with a host's actor system: the supervisor of every task and the projector of the read model.</summary>
public static class TaskHosting
{
    /// <summary>
    /// Starts <c>/user/tasks</c> (registered as <see cref="TaskSupervisor"/>) and <c>/user/task-projector</c> (as
    /// <see cref="TaskProjector"/>), from the orchestrator's services. Needs <see cref="ThrottleHosting.WithProviderThrottles"/>
    /// before it; the projector's catching up with the journal marks <see cref="OrchestratorReadiness"/>. With
    /// <see cref="RetentionOptions.EndedTaskDays"/> above 0 it also starts <c>/user/retention</c>, which removes old ended tasks.
    /// </summary>
    public static AkkaConfigurationBuilder WithTaskActors(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry, resolver) =>
        {
            var runtime = new TaskRuntime(resolver.GetService<OrchestratorOptions>(), resolver.GetService<ProviderDirectory>(),
                resolver.GetService<TimeProvider>(), ActorRegistry.For(system).Get<ProviderThrottles>(), resolver.GetService<PollLearning>(),
                resolver.GetService<CallbackTokens>(), resolver.GetService<ResultRehoster>(), resolver.GetService<LiveTaskViews>(),
                resolver.GetService<Timelines.TaskTimelines>());
            var supervisor = system.ActorOf(TaskSupervisor.Props(runtime), "tasks");
            var projector = system.ActorOf(TaskProjector.Props(resolver.GetService<ReadModelDatabase>(), resolver.GetService<TaskReadModel>(),
                runtime.Live, supervisor, resolver.GetService<OrchestratorReadiness>(),
                resolver.GetService<ILoggerFactory>()?.CreateLogger("Orchestrator.Tasks")), "task-projector");
            registry.Register<TaskSupervisor>(supervisor);
            registry.Register<TaskProjector>(projector);
            var retention = runtime.Options.Retention;
            if (retention.EndedTaskDays > 0)
                registry.Register<RetentionSweeper>(system.ActorOf(RetentionSweeper.Props(retention, resolver.GetService<ReadModelDatabase>(),
                    resolver.GetService<IResultStore>(), runtime.Live, runtime.Clock), "retention"));
        });
}
