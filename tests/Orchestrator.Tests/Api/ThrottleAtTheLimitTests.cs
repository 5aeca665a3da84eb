using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>Timing measurements at a provider's limit: run alone, after the parallel tests, so other tests' load does not skew them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AtTheLimitCollection
{
    public const string Name = "At the limit";
}

/// <summary>Issue 4's figures over HTTP against the simulator, which counts arrivals in a true rolling second.</summary>
[Collection(AtTheLimitCollection.Name)]
public sealed class ThrottleAtTheLimitTests
{
    private static async Task<List<string>> SubmitAsync(OrchestratorServer server, int count, Func<int, Dictionary<string, object?>> body)
    {
        var ids = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var response = await server.SubmitAsync(body(i));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids[i] = (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json, ct))!.Id;
        });
        return [.. ids];
    }

    private static async Task AllSucceedAsync(OrchestratorServer server, IEnumerable<string> ids, TimeSpan timeout)
    {
        var finals = await Task.WhenAll(ids.Select(id => server.Orchestrator.WaitForCompletionAsync(id, timeout)));
        Assert.All(finals, v => Assert.Equal(TaskLifecycle.Succeeded, v.Status));
    }

    [Fact]
    public async Task Two_thousand_tasks_at_20_qps_meet_no_limit_answer_and_use_95_percent_of_the_limit_in_every_10_s_window()
    {
        using var dir = new TempDirectory();
        using var stalls = new ProcessStalls();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0, ImageMaxSeconds = 0, QpsLimit = 20 });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl, "--Orchestrator:Providers:simulator:Qps=20");

        var ids = await SubmitAsync(server, 2000, i => Requests.Image($"batch {i}"));
        await AllSucceedAsync(server, ids, TimeSpan.FromMinutes(6));

        var stats = sim.Sim.Stats("dmxapi");
        var account = sim.Sim.Account("dmxapi");
        var perSecond = account.ArrivalsPerSecond();
        Assert.True(stats.RateLimitAnswers == 0, $"{stats}; per second: {string.Join(" ", perSecond)}");
        // Every full 10 s window after the first, up to the last 10 s (when the queue runs dry and there is less to send).
        // A window is held to 95% of the limit over the time the process ran in it: while the whole process stood still (the
        // machine busy elsewhere, a collection pausing every thread) no throttle could send, and what it lost then is lost
        // for good, since the provider's rolling second forbids catching up.
        var first = account.FirstArrivalTimestamp();
        var windows = Enumerable.Range(10, Math.Max(0, perSecond.Count - 30)).Select(start =>
        {
            var from = first + start * Stopwatch.Frequency;
            var ran = 10 - stalls.Within(from, from + 10 * Stopwatch.Frequency).TotalSeconds;
            return (Start: start, Rate: perSecond.Skip(start).Take(10).Sum() / 10.0, Required: 0.95 * 20 * ran / 10);
        }).ToList();
        Assert.NotEmpty(windows);
        var slowest = windows.MinBy(w => w.Rate - w.Required);
        Assert.True(slowest.Rate >= slowest.Required,
            $"the 10 s window from second {slowest.Start}: {slowest.Rate:0.00}/s, needed {slowest.Required:0.00}/s; all: "
            + $"{string.Join(" ", windows.Select(w => w.Rate.ToString("0.0")))}; per second: {string.Join(" ", perSecond)}; "
            + $"the process stood still at: {stalls.Describe(first)}");
    }

    [Fact]
    public async Task An_account_configured_above_the_providers_real_limit_converges_and_every_task_succeeds()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5, QpsLimit = 10 });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl, "--Orchestrator:Providers:simulator:Qps=20");

        var ids = await SubmitAsync(server, 200, i => Requests.Image($"over {i}"));
        await AllSucceedAsync(server, ids, TimeSpan.FromMinutes(3));

        // Bound: the first second's overshoot (~10 answers) plus a few per additive-increase cycle (~5 cycles here).
        var answers = sim.Sim.Stats("dmxapi").RateLimitAnswers;
        Assert.InRange(answers, 1, 50);
        var providers = await server.Orchestrator.ProvidersAsync();
        var throttle = providers.Single(p => p.Account == "simulator").Throttle!;
        Assert.True(throttle.RateLimitAnswers >= 1);
    }

    [Fact]
    public async Task A_concurrency_limit_of_5_is_never_exceeded_and_all_tasks_finish()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.3, ImageMaxSeconds = 0.8, ConcurrencyLimit = 5 });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl,
            "--Orchestrator:Providers:simulator:Qps=50", "--Orchestrator:Providers:simulator:MaxConcurrentTasks=5");

        var ids = await SubmitAsync(server, 40, i => Requests.Image($"slot {i}", ("count", 1 + i % 2)));
        await AllSucceedAsync(server, ids, TimeSpan.FromMinutes(2));

        var stats = sim.Sim.Stats("dmxapi");
        Assert.Equal(0, stats.ConcurrencyLimitAnswers); // the simulator answers 1303 the moment more than 5 slots run
        Assert.Equal(40, stats.Tasks);
    }

    [Fact]
    public async Task An_interactive_task_behind_a_5000_task_batch_starts_within_a_few_permits()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 30, ImageMaxSeconds = 30 });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl, "--Orchestrator:Providers:simulator:Qps=20");

        await SubmitAsync(server, 5000, i => Requests.Image($"batch {i}", ("metadata", new Dictionary<string, string> { ["tenant"] = "batch-team" })));
        var response = await server.SubmitAsync(Requests.Image("interactive", ("metadata", new Dictionary<string, string> { ["tenant"] = "alice" })));
        // Counted from her acceptance: permits granted while her own write was on its way to the journal are not hers to get.
        var submittedBefore = sim.Sim.Stats("dmxapi").Submits;
        var alice = (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!;

        await Eventually.Until(() => server.GetAsync(alice.Id), v => v.ProviderTaskId is not null, TimeSpan.FromSeconds(30), "alice's task to be submitted");
        var submittedAfter = sim.Sim.Stats("dmxapi").Submits;
        // Without fairness she would wait for the 5,000 before her (over four minutes at 20 QPS). What is counted here also
        // includes permits granted before her request reached the throttle and, at one permit per 50 ms, the time until
        // her submit's answer is journaled and the 100 ms between two looks: a few permits, not a place in the queue.
        Assert.True(submittedAfter - submittedBefore <= 8, $"{submittedAfter - submittedBefore} batch submits went before the interactive task");
        Assert.True(submittedAfter < 1000, "the batch was still queued when the interactive task went");
    }
}
