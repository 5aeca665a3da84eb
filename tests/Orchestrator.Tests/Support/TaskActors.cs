using Akka.Actor;
using Akka.Configuration;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.Providers;
using Orchestrator.Tasks;
using Orchestrator.Throttling;

namespace Orchestrator.Tests.Support;

/// <summary>
/// The task actors (throttles, supervisor, catalog) started on a given actor system the way the host starts them,
/// against a real SQLite journal and a simulator account on loopback.
/// </summary>
public sealed class TaskActors
{
    public IActorRef Supervisor { get; }
    public IActorRef Catalog { get; }
    public OrchestratorReadiness Readiness { get; } = new();

    /// <param name="clock">The orchestrator's clock (task times, poll plans); tests of the schedule pass a fake one.</param>
    public TaskActors(ActorSystem system, OrchestratorOptions options, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var providers = new ProviderDirectory(options, clock);
        var throttles = system.ActorOf(ProviderThrottles.Props(providers), "throttles");
        var runtime = new TaskRuntime(options, providers, clock, throttles);
        Supervisor = system.ActorOf(TaskSupervisor.Props(runtime), "tasks");
        Catalog = system.ActorOf(TaskCatalog.Props(Supervisor, Readiness), "catalog");
    }

    public static OrchestratorOptions Options(string connectionString, string simulatorBaseUrl) => new()
    {
        Storage = new StorageOptions { ConnectionString = connectionString },
        Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", BaseUrl = simulatorBaseUrl, Qps = 50 } },
        Polling = new PollingOptions { ImageFloorSeconds = 0.1, VideoFloorSeconds = 0.1, ImagePriorSeconds = 0.1, VideoPriorSeconds = 0.1, CapSeconds = 0.5 },
        Tasks = new TaskOptions { SubmitRetryBaseSeconds = 0.1, PassivateAfterSeconds = 60 },
    };

    public static Config SystemConfig(StorageOptions storage)
    {
        StorageConfig.Prepare(storage);
        return ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(StorageConfig.Build(storage));
    }

    public async Task<TaskView> SubmitAsync(GenerationRequest request)
    {
        var reply = await Supervisor.Ask<TaskAcceptedReply>(new SubmitTask(TaskIds.New(), request, IsFreshId: true), TimeSpan.FromSeconds(10));
        return reply.View;
    }

    public Task<TaskView> WaitForEndAsync(string id, TimeSpan? timeout = null) =>
        Catalog.Ask<TaskView>(new AwaitTaskEnd(id), timeout ?? TimeSpan.FromSeconds(30));

    public Task<TaskProgress> ProgressAsync(string id) => Supervisor.Ask<TaskProgress>(new GetTaskProgress(id), TimeSpan.FromSeconds(10));

    public static GenerationRequest Image(string prompt = "a kangaroo") => new()
    {
        Provider = "simulator", Kind = GenerationKind.TextToImage, Model = "kling-v1-5", Prompt = prompt,
    };
}
