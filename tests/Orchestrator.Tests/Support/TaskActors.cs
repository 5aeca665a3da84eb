using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.ReadModel;
using Orchestrator.ResultFiles;
using Orchestrator.Tasks;
using Orchestrator.Throttling;

namespace Orchestrator.Tests.Support;

/// <summary>
/// The task actors (throttles, supervisor, read model projector) started by the same Akka.Hosting extensions the host calls, in a
/// Generic Host of their own, against a real SQLite journal and a simulator account on loopback.
/// </summary>
internal sealed class TaskActors : IAsyncDisposable
{
    private readonly IHost _host;

    private TaskActors(IHost host)
    {
        _host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        Supervisor = registry.Get<TaskSupervisor>();
        Reads = host.Services.GetRequiredService<TaskReadModel>();
        Live = host.Services.GetRequiredService<LiveTaskViews>();
        Readiness = host.Services.GetRequiredService<OrchestratorReadiness>();
        Database = host.Services.GetRequiredService<ReadModelDatabase>();
    }

    public ActorSystem System { get; }
    public IActorRef Supervisor { get; }
    public TaskReadModel Reads { get; }
    public LiveTaskViews Live { get; }
    public OrchestratorReadiness Readiness { get; }
    public ReadModelDatabase Database { get; }

    /// <param name="options">The orchestrator's options (journal, provider accounts, polling).</param>
    /// <param name="clock">The orchestrator's clock (task times, poll plans); tests of the schedule pass a fake one.</param>
    /// <param name="hocon">Settings of the test's own (Akka's test scheduler, say), over everything else.</param>
    /// <param name="beforeTaskActors">Runs once the journal is registered and before any task actor exists.</param>
    public static async Task<TaskActors> StartAsync(OrchestratorOptions options, TimeProvider? clock = null, Config? hocon = null,
        Func<ActorSystem, Task>? beforeTaskActors = null, string name = "task-actors")
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (clock is not null) builder.Services.AddSingleton(clock);
        builder.Services.AddOrchestratorServices(options);
        builder.Services.AddAkka(name, (akka, _) =>
        {
            akka.ConfigureLoggers(logging => logging.LogLevel = Akka.Event.LogLevel.WarningLevel);
            if (hocon is not null) akka.AddHocon(hocon, HoconAddMode.Prepend);
            akka.WithOrchestratorPersistence(options.Storage);
            if (beforeTaskActors is not null) akka.StartActors(new ActorStarter((system, _) => beforeTaskActors(system)));
            akka.WithProviderThrottles().WithTaskActors();
        });
        var host = builder.Build();
        await host.StartAsync();
        return new TaskActors(host);
    }

    public static OrchestratorOptions Options(string connectionString, string simulatorBaseUrl) =>
        Options(new StorageOptions { ConnectionString = connectionString }, simulatorBaseUrl);

    /// <param name="storage">The journal: a test store's <see cref="TestStore.Storage"/>, say.</param>
    public static OrchestratorOptions Options(StorageOptions storage, string simulatorBaseUrl) => new()
    {
        Storage = storage,
        Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", BaseUrl = simulatorBaseUrl, Qps = 50 } },
        Polling = new PollingOptions { ImageFloorSeconds = 0.1, VideoFloorSeconds = 0.1, ImagePriorSeconds = 0.1, VideoPriorSeconds = 0.1, CapSeconds = 0.5 },
        Tasks = new TaskOptions { SubmitRetryBaseSeconds = 0.1, PassivateAfterSeconds = 60 },
        // Tasks end with the provider's URLs: these tests are about the task's life, not about its files.
        Results = new ResultOptions { Enabled = false },
    };

    public async Task<TaskView> SubmitAsync(GenerationRequest request)
    {
        var reply = await Supervisor.Ask<TaskAcceptedReply>(new SubmitTask(TaskIds.New(), request, IsFreshId: true), TimeSpan.FromSeconds(10));
        return reply.View;
    }

    public async Task<TaskView> WaitForEndAsync(string id, TimeSpan? timeout = null) =>
        await Reads.WaitForEndAsync(id, timeout ?? TimeSpan.FromSeconds(30), CancellationToken.None) ?? throw new InvalidOperationException($"No task {id}");

    /// <summary>Whether the task has an actor now (asked without waking it).</summary>
    public async Task<bool> IsInMemoryAsync(string id)
    {
        try
        {
            await System.ActorSelection($"/user/tasks/{id}").ResolveOne(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ActorNotFoundException)
        {
            return false;
        }
    }

    public Task<TaskProgress> ProgressAsync(string id) => Supervisor.Ask<TaskProgress>(new GetTaskProgress(id), TimeSpan.FromSeconds(10));

    public static GenerationRequest Image(string prompt = "a kangaroo") => new()
    {
        Provider = "simulator", Kind = GenerationKind.TextToImage, Model = "kling-v1-5", Prompt = prompt,
    };

    /// <summary>The process ends: its host stops, and the actor system with it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
