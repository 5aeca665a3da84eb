using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
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
            var runtime = Runtime(system, resolver);
            var supervisor = system.ActorOf(TaskSupervisor.Props(runtime), "tasks");
            registry.Register<TaskSupervisor>(supervisor);
            StartReadModel(system, registry, resolver, runtime, supervisor);
            var retention = runtime.Options.Retention;
            if (retention.EndedTaskDays > 0) registry.Register<RetentionSweeper>(system.ActorOf(RetentionProps(resolver, runtime), "retention"));
        });

    /// <summary>
    /// Cluster mode's <see cref="WithTaskActors"/>: every task is an entity of the <c>tasks</c> shard region (registered as
    /// <see cref="TaskSupervisor"/>, so every sender stays as it is), living on one node of the cluster at a time. Entities
    /// passivate themselves (never by Sharding's idle timer: a task waiting on its poll timer gets no message for a while),
    /// and a task whose node died is started again elsewhere by <see cref="Cluster.TaskResumer"/> from the read model's
    /// unfinished index, rather than by remember-entities: that index exists already, where remembering 100,000 entities in
    /// distributed data would be heavy.
    /// </summary>
    internal static AkkaConfigurationBuilder WithShardedTaskActors(this AkkaConfigurationBuilder builder) => builder
        .WithShardRegion<TaskSupervisor>("tasks", (system, _, resolver) =>
            {
                var runtime = Runtime(system, resolver);
                // Always recovered: the node that minted a fresh id may not be the node its shard lives on.
                return taskId => GenerationTask.Props(runtime, taskId, fresh: false);
            },
            new TaskShards(),
            new ShardOptions
            {
                ShouldPassivateIdleEntities = false,
                HandOffStopMessage = new TaskHandOff(),
                RememberEntities = false,
                StateStoreMode = StateStoreMode.DData,
            })
        .WithActors((system, registry, resolver) =>
        {
            var region = registry.Get<TaskSupervisor>();
            StartReadModel(system, registry, resolver, Runtime(system, resolver), region);
            registry.Register<Cluster.TaskResumer>(system.ActorOf(Cluster.TaskResumer.Props(resolver.GetService<TaskReadModel>(), region), "task-resumer"));
        })
        // One sweeper for the cluster: nodes sweeping the same rows at once would only repeat each other's deletes.
        .WithSingleton<RetentionSweeper>("retention", (system, _, resolver) => RetentionProps(resolver, Runtime(system, resolver)),
            new ClusterSingletonOptions(), createProxyToo: false)
        // One alarm clock for the cluster's sleeping tasks, on whichever node is oldest: their rows outlive their nodes.
        .WithSingleton<Cluster.TaskWaker>("task-waker", (_, registry, resolver) => Cluster.TaskWaker.Props(
                new Cluster.TaskWakeUpTable(resolver.GetService<ReadModelDatabase>()), registry.Get<TaskSupervisor>(), resolver.GetService<TimeProvider>()),
            new ClusterSingletonOptions(), createProxyToo: false);

    private static Props RetentionProps(Akka.DependencyInjection.IDependencyResolver resolver, TaskRuntime runtime) =>
        RetentionSweeper.Props(runtime.Options.Retention, resolver.GetService<ReadModelDatabase>(), resolver.GetService<IResultStore>(), runtime.Live, runtime.Clock);

    private static TaskRuntime Runtime(ActorSystem system, Akka.DependencyInjection.IDependencyResolver resolver)
    {
        var options = resolver.GetService<OrchestratorOptions>();
        var db = resolver.GetService<ReadModelDatabase>();
        return new(options, resolver.GetService<ProviderDirectory>(),
            resolver.GetService<TimeProvider>(), ActorRegistry.For(system).Get<ProviderThrottles>(), resolver.GetService<PollLearning>(),
            resolver.GetService<CallbackTokens>(), resolver.GetService<ResultRehoster>(), resolver.GetService<LiveTaskViews>(),
            resolver.GetService<Timelines.TaskTimelines>())
        {
            Log = resolver.GetService<ILoggerFactory>()?.CreateLogger("Orchestrator.Tasks"),
            // A cluster's sleepers have rows for its waker; a single node's supervisor keeps them, and reads a restart's back in bulk.
            WakeUps = options.Cluster.Enabled ? new Cluster.TaskWakeUpTable(db) : null,
            JournalStates = options.Cluster.Enabled ? null : new JournaledTaskStates(system, db),
        };
    }

    private static void StartReadModel(ActorSystem system, IActorRegistry registry, Akka.DependencyInjection.IDependencyResolver resolver,
        TaskRuntime runtime, IActorRef tasks)
    {
        var projector = system.ActorOf(TaskProjector.Props(resolver.GetService<ReadModelDatabase>(), resolver.GetService<TaskReadModel>(),
            runtime.Live, tasks, resolver.GetService<OrchestratorReadiness>(),
            resolver.GetService<ILoggerFactory>()?.CreateLogger("Orchestrator.Tasks"), sleepersHaveRows: runtime.Sharded), "task-projector");
        registry.Register<TaskProjector>(projector);
    }
}
