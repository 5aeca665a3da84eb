using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Events;
using Orchestrator.Hosting;
using Orchestrator.Sample;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Embedding;

/// <summary>The library in a plain .NET host (no ASP.NET), as a service that embeds it uses it.</summary>
public sealed class EmbeddingTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.3, ImageMaxSeconds = 0.8 });

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        _dir.Dispose();
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Orchestrator:Storage:ConnectionString"] = _dir.SqliteConnectionString(),
        ["Orchestrator:Providers:simulator:Type"] = "simulator",
        ["Orchestrator:Providers:simulator:BaseUrl"] = _sim.BaseUrl,
        ["Orchestrator:Providers:simulator:Qps"] = "50",
        ["Orchestrator:Polling:ImagePriorSeconds"] = "0.3",
        ["Orchestrator:Polling:ImageFloorSeconds"] = "0.2",
        ["Orchestrator:Results:Directory"] = Path.Combine(_dir.Path, "results"),
    };

    private IHost BuildHost(Action<HostApplicationBuilder> wire)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        wire(builder);
        return builder.Build();
    }

    [Fact]
    public async Task The_sample_flow_runs_in_a_non_web_host_bound_from_configuration()
    {
        using var host = BuildHost(b => b.Services.AddOrchestrator(b.Configuration));
        await host.StartAsync();
        var output = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var ended = await SampleFlow.RunAsync(host.Services.GetRequiredService<IOrchestrator>(), output, tasks: 4, timeout.Token);

        Assert.Equal(4, ended.Count);
        Assert.All(ended, v => Assert.Equal(TaskLifecycle.Succeeded, v.Status));
        var text = output.ToString();
        Assert.Equal(4, text.Split('\n').Count(l => l.StartsWith("task.succeeded ")));
        Assert.Equal(4, text.Split('\n').Count(l => l.Contains("image/png") && l.Contains("sha256 ")));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_host_that_already_runs_Akka_adds_the_orchestrator_to_its_own_system_and_its_actors_subscribe_to_completions()
    {
        using var host = BuildHost(b =>
        {
            b.Services.AddOrchestratorServices(b.Configuration);
            b.Services.AddAkka("the-hosts-own-system", (akka, sp) => akka.WithOrchestrator(sp));
        });
        await host.StartAsync();
        var orchestrator = host.Services.GetRequiredService<IOrchestrator>();
        await orchestrator.WhenReady.WaitAsync(TimeSpan.FromSeconds(30));
        var system = host.Services.GetRequiredService<ActorSystem>();
        Assert.Equal("the-hosts-own-system", system.Name);

        // An actor of the host's own receives the same durable completion stream.
        var heard = new TaskCompletionSource<TaskCompletion>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = system.ActorOf(Props.Create(() => new CompletionListener(heard)));
        host.Services.GetRequiredService<CompletionFeed>().Source(0)
            .RunWith(Sink.ActorRef<TaskCompletion>(listener, "done", _ => "failed"), system.Materializer());

        var (view, _) = await orchestrator.SubmitAsync(TaskSubmission.TextToImage("simulator", "kling-v1-5", "a heron"));
        var final = await orchestrator.WaitForCompletionAsync(view.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        var completion = await heard.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(view.Id, completion.Task.Id);
        await host.StopAsync();
    }

    [Fact]
    public async Task Requests_made_by_kind_are_validated_like_the_http_api_and_unknown_tasks_are_typed_errors()
    {
        using var host = BuildHost(b => b.Services.AddOrchestrator(b.Configuration));
        await host.StartAsync();
        var orchestrator = host.Services.GetRequiredService<IOrchestrator>();

        var invalid = await Assert.ThrowsAsync<TaskValidationException>(() => orchestrator.SubmitAsync(
            TaskSubmission.TextToVideo("simulator", "kling-v1-6", "waves") with { DurationSeconds = 7 }));
        Assert.Equal("durationSeconds", Assert.Single(invalid.Errors).Field);
        var noImage = await Assert.ThrowsAsync<TaskValidationException>(() => orchestrator.SubmitAsync(
            TaskSubmission.ImageToVideo("simulator", "kling-v1-6", "waves", imageUrl: "not a url")));
        Assert.Contains(noImage.Errors, e => e.Field == "imageUrl");
        var unknownModel = await Assert.ThrowsAsync<TaskValidationException>(() => orchestrator.SubmitAsync(
            TaskSubmission.TextToVideo("simulator", "dall-e-3", "waves")));
        Assert.Contains("kling-v1-6", Assert.Single(unknownModel.Errors, e => e.Field == "model").Message);
        Assert.Null(await orchestrator.GetAsync(TaskIds.New()));
        await Assert.ThrowsAsync<UnknownTaskException>(() => orchestrator.WaitForCompletionAsync(TaskIds.New(), TimeSpan.FromSeconds(5)));
        Assert.Empty((await orchestrator.ListAsync(new ListTasks(null, null, 10, null))).Items);
        await host.StopAsync();
    }

    private sealed class CompletionListener : ReceiveActor
    {
        public CompletionListener(TaskCompletionSource<TaskCompletion> heard) => Receive<TaskCompletion>(c => heard.TrySetResult(c));
    }
}
