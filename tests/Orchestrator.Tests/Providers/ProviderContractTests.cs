using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Hosting;
using Orchestrator.Providers;
using Orchestrator.Providers.Chanjing;
using Orchestrator.Providers.Kling;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Orchestrator.Throttling;

namespace Orchestrator.Tests.Providers;

/// <summary>Each adapter against the simulator's version of its provider, over real HTTP on loopback.</summary>
public sealed class ProviderContractTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TempDirectory Dir = new();
    private SimulatorServer _sim = null!;
    private TaskActors _actors = null!;

    // The test kit's own system holds the throttle and poller of the page-query test; tasks run in the host's system.
    public ProviderContractTests() : base("akka.loglevel = WARNING") { }

    public async Task InitializeAsync()
    {
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.5, ImageMaxSeconds = 1, VideoMinSeconds = 0.5, VideoMaxSeconds = 1 });
        var options = TaskActors.Options(Dir.SqliteConnectionString($"contract-{Guid.NewGuid():N}.db"), _sim.BaseUrl);
        options.Providers["kling"] = new ProviderAccountOptions { Type = "kling", BaseUrl = _sim.BaseUrl, AccessKey = "sim-ak", SecretKey = "sim-sk", Qps = 50 };
        options.Providers["kling-wrong-secret"] = new ProviderAccountOptions { Type = "kling", BaseUrl = _sim.BaseUrl, AccessKey = "sim-ak", SecretKey = "not-the-secret", Qps = 50 };
        options.Providers["chanjing"] = new ProviderAccountOptions { Type = "chanjing", BaseUrl = _sim.BaseUrl, AppId = "sim-app", SecretKey = "sim-secret", Qps = 50 };
        options.Polling.BatchSlotSeconds = 0.2;
        _actors = await TaskActors.StartAsync(options);
        await _actors.Readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        await _actors.DisposeAsync();
        await _sim.DisposeAsync();
    }

    private static GenerationRequest Request(string provider, GenerationKind kind, string model = "kling-v1-6") => new()
    {
        Provider = provider, Kind = kind, Model = model, Prompt = "a kangaroo holding a sign",
        Count = kind == GenerationKind.TextToImage ? 2 : null,
        ImageUrl = kind == GenerationKind.ImageToVideo ? "https://img.test/start.png" : null,
        DurationSeconds = kind == GenerationKind.TextToImage ? null : 5,
    };

    [Theory]
    [InlineData("kling", GenerationKind.TextToImage, 2)]
    [InlineData("kling", GenerationKind.TextToVideo, 1)]
    [InlineData("kling", GenerationKind.ImageToVideo, 1)]
    [InlineData("chanjing", GenerationKind.TextToImage, 2)]
    [InlineData("chanjing", GenerationKind.TextToVideo, 1)]
    // The kind is an object: the enum is internal to the library, and a public test method cannot name it.
    public async Task A_task_succeeds_with_its_results(string provider, object kind, int results)
    {
        var view = await _actors.SubmitAsync(Request(provider, (GenerationKind)kind));
        var final = await _actors.WaitForEndAsync(view.Id);
        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.Equal(results, final.Results.Count);
        Assert.Equal(1, _sim.Sim.Stats(provider).Submits);
        Assert.Equal(0, _sim.Sim.Stats(provider).DuplicateExternalIds);
    }

    [Theory]
    [InlineData("kling")]
    [InlineData("chanjing")]
    public async Task A_provider_side_failure_keeps_the_providers_reason(string provider)
    {
        _sim.Sim.Options.FailureRate = 1;
        var final = await _actors.WaitForEndAsync((await _actors.SubmitAsync(Request(provider, GenerationKind.TextToImage))).Id);
        Assert.Equal(TaskLifecycle.Failed, final.Status);
        Assert.Equal("task_failed", final.Error!.Code);
        Assert.False(string.IsNullOrWhiteSpace(final.Error.Message));
    }

    [Fact]
    public async Task A_wrongly_signed_kling_token_fails_the_task_with_the_auth_code_and_no_secret()
    {
        var final = await _actors.WaitForEndAsync((await _actors.SubmitAsync(Request("kling-wrong-secret", GenerationKind.TextToImage))).Id);
        Assert.Equal(TaskLifecycle.Failed, final.Status);
        Assert.StartsWith("100", final.Error!.Code);
        Assert.False(final.Error.Retryable);
        Assert.DoesNotContain("not-the-secret", final.Error.Message);
    }

    [Theory]
    [InlineData("kling")]
    [InlineData("chanjing")]
    public async Task Server_errors_and_rate_limit_answers_are_retried(string provider)
    {
        _sim.Sim.Inject(provider, SimulatedFault.ServerError, 2);
        _sim.Sim.Inject(provider, SimulatedFault.RateLimit, 1);
        var final = await _actors.WaitForEndAsync((await _actors.SubmitAsync(Request(provider, GenerationKind.TextToImage))).Id);
        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.Equal(1, _sim.Sim.Stats(provider).Tasks);
    }

    [Fact]
    public async Task Chanjing_refreshes_its_token_after_someone_else_invalidated_it_and_the_task_goes_on()
    {
        var view = await _actors.SubmitAsync(Request("chanjing", GenerationKind.TextToImage) with { Model = "kling-v1-5" });
        await Eventually.Until(() => _actors.Supervisor.Ask<TaskView>(new GetTask(view.Id)), v => v.ProviderTaskId is not null, TimeSpan.FromSeconds(10), "the submit");

        // Another client of the same app fetches a token: ours is now invalid (10400 on our next call).
        using var other = new HttpClient { BaseAddress = new Uri(_sim.BaseUrl) };
        var owner = new ChanjingTokenOwner(other, "other", "sim-app", "sim-secret", TimeProvider.System, OpenGate.Instance);
        Assert.NotNull((await owner.CurrentAsync(CancellationToken.None)).Token);

        var final = await _actors.WaitForEndAsync(view.Id);
        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.Equal(3, _sim.Sim.Stats("chanjing").TokenRequests); // ours, theirs, ours again
    }

    [Fact]
    public async Task Chanjing_polls_only_through_page_queries()
    {
        var ids = new List<string>();
        for (var i = 0; i < 30; i++) ids.Add((await _actors.SubmitAsync(Request("chanjing", GenerationKind.TextToImage) with { Prompt = $"p{i}" })).Id);
        foreach (var id in ids) Assert.Equal(TaskLifecycle.Succeeded, (await _actors.WaitForEndAsync(id)).Status);
        var stats = _sim.Sim.Stats("chanjing");
        Assert.Equal(0, stats.Polls);
        Assert.True(stats.PageQueryTasks >= 30);
        // How many polls share a page depends on when each task's submit got its permit, so the ratio is not
        // asserted here: One_round_of_120_due_chanjing_polls_takes_three_page_queries pins the gathering itself.
    }

    [Fact]
    public async Task One_round_of_120_due_chanjing_polls_takes_three_page_queries()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_sim.BaseUrl) };
        var owner = new ChanjingTokenOwner(http, "chanjing", "sim-app", "sim-secret", TimeProvider.System, OpenGate.Instance);
        var client = new ChanjingClient(http, owner, "chanjing", OpenGate.Instance);
        var providerIds = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            var outcome = await client.SubmitAsync(new ProviderSubmission($"t{i}", Request("chanjing", GenerationKind.TextToImage), null), CancellationToken.None);
            providerIds.Add(Assert.IsType<SubmitOutcome.Accepted>(outcome).ProviderTaskId);
        }
        var account = new ProviderAccount("chanjing", ProviderTypes.All["chanjing"], new ProviderAccountOptions { Qps = 50 }, new Uri(_sim.BaseUrl), null);
        var throttle = Sys.ActorOf(ProviderThrottle.Props(account));
        var poller = Sys.ActorOf(BatchPoller.Props("chanjing", client, throttle));

        for (var i = 0; i < 120; i++) poller.Tell(new BatchPoll("chanjing", $"t{i}", providerIds[i]), TestActor);
        var answered = ReceiveN(120, TimeSpan.FromSeconds(10)).Cast<BatchPollResult>().ToList();

        Assert.Equal(120, answered.Select(r => r.TaskId).Distinct().Count());
        Assert.All(answered, r => Assert.IsType<QueryOutcome.Found>(r.Outcome));
        var stats = _sim.Sim.Stats("chanjing");
        Assert.Equal(3, stats.PageQueries);
        Assert.Equal(50, stats.LargestPageQuery);
        Assert.Equal(0, stats.Polls);
    }

    [Fact]
    public async Task A_kling_jwt_is_re_signed_after_it_expires_and_the_provider_accepts_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 1, ImageMaxSeconds = 1 }, clock);
        var jwt = new KlingJwt("sim-ak", "sim-sk", clock);
        var client = new KlingClient(new HttpClient { BaseAddress = new Uri(sim.BaseUrl) }, jwt);
        var stale = KlingJwt.Sign("sim-ak", "sim-sk", clock.GetUtcNow());

        var submitted = await client.SubmitAsync(new ProviderSubmission("t-jwt", Request("kling", GenerationKind.TextToImage), null), CancellationToken.None);
        var id = Assert.IsType<SubmitOutcome.Accepted>(submitted).ProviderTaskId;
        clock.Advance(TimeSpan.FromMinutes(31));

        var found = Assert.IsType<QueryOutcome.Found>(await client.QueryAsync(GenerationKind.TextToImage, id, "t-jwt", CancellationToken.None));
        Assert.Equal(ProviderTaskStatus.Succeeded, found.Snapshot.Status);
        Assert.Equal(2, jwt.Signed);
        // The token signed at the start would now be refused as expired.
        using var staleCall = new HttpRequestMessage(HttpMethod.Get, $"v1/images/generations/{id}");
        staleCall.Headers.Authorization = new("Bearer", stale);
        var refused = await new HttpClient { BaseAddress = new Uri(sim.BaseUrl) }.SendAsync(staleCall);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
