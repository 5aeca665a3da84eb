using System.Net.Http.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>
/// The learned schedule and callbacks end to end: image tasks of 8–40 s at the simulator over HTTP, on the real clock.
/// Bounds are loose on purpose (noise-proof); the bench reports the exact figures. Detection lag is measured on the real
/// clock, so these run with the other timing tests, alone (a parallel PostgreSQL test once pushed p95 lag to 89%).
/// </summary>
[Collection(AtTheLimitCollection.Name)]
public sealed class SmartPollingTests
{
    private static readonly SimulatorOptions EightToForty = new() { ImageMinSeconds = 8, ImageMaxSeconds = 40, QueuedFraction = 0.3 };

    private static readonly string[] RealSchedule =
    [
        "--Orchestrator:Polling:ImagePriorSeconds=10",
        "--Orchestrator:Polling:ImageFloorSeconds=1",
        "--Orchestrator:Polling:CapSeconds=60",
        "--Orchestrator:Polling:MinSamples=20",
        "--Orchestrator:Polling:LagTarget=0.5",
    ];

    [Fact]
    public async Task After_a_warm_up_wave_few_queries_notice_each_task_within_about_half_its_age()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(EightToForty);
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl, RealSchedule);

        await RunWaveAsync(server, 30, "warm-up");
        var measured = await RunWaveAsync(server, 50, "measured");

        var figures = measured.Select(v => Figures(sim, v)).ToList();
        var meanQueries = figures.Average(f => f.Queries);
        var p95Lag = Quantile(figures.Select(f => f.RelativeLag), 0.95);
        // The best fixed schedule needs about 3.5 queries for 50% lag on 8–40 s; DMXAPI's example 1 s polling about 24.
        Assert.True(meanQueries <= 5.0, $"mean queries per task {meanQueries:0.00}");
        Assert.True(p95Lag <= 0.8, $"p95 detection lag {p95Lag:P0} of the task's duration");

        var account = await AccountAsync(server);
        Assert.True(account.GetProperty("polling").GetProperty("finishedTasks").GetInt32() >= 80);
        Assert.True(account.GetProperty("polling").GetProperty("detectionLagP95Seconds").GetDouble() > 0);
        var plan = account.GetProperty("polling").GetProperty("plans")[0];
        Assert.Equal("text-to-image", plan.GetProperty("kind").GetString());
        Assert.InRange(plan.GetProperty("firstPollSeconds").GetDouble(), 5, 20);
    }

    [Fact]
    public async Task With_callbacks_a_task_costs_little_more_than_one_verification_query()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(EightToForty);
        var port = ServerProcess.FreePort();
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl,
            [.. RealSchedule, $"--Urls=http://127.0.0.1:{port}", $"--Orchestrator:PublicBaseUrl=http://127.0.0.1:{port}"]);

        var measured = await RunWaveAsync(server, 40, "callbacks");

        var figures = measured.Select(v => Figures(sim, v)).ToList();
        var meanQueries = figures.Average(f => f.Queries);
        Assert.True(meanQueries <= 1.5, $"mean queries per task {meanQueries:0.00}");
        Assert.True(sim.Sim.Stats().CallbacksSent >= 40);
        var p95Lag = Quantile(figures.Select(f => f.AbsoluteLag.TotalSeconds), 0.95);
        Assert.True(p95Lag <= 2, $"p95 detection lag {p95Lag:0.00} s");
    }

    private static async Task<List<TaskView>> RunWaveAsync(OrchestratorServer server, int n, string name)
    {
        var ids = new List<string>();
        for (var i = 0; i < n; i++)
        {
            ids.Add(await server.SubmitForIdAsync(Requests.Image($"{name} {i}")));
        }
        var views = new List<TaskView>();
        foreach (var id in ids) views.Add(await server.Orchestrator.WaitForCompletionAsync(id, TimeSpan.FromSeconds(150)));
        Assert.All(views, v => Assert.Equal(TaskLifecycle.Succeeded, v.Status));
        return views;
    }

    private static (int Queries, double RelativeLag, TimeSpan AbsoluteLag) Figures(SimulatorServer sim, TaskView v)
    {
        var task = sim.Sim.Peek(v.ProviderTaskId!)!;
        var lag = v.CompletedAt!.Value - task.EndsAt;
        return (v.Polls, lag / task.Duration, lag);
    }

    private static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static async Task<System.Text.Json.JsonElement> AccountAsync(OrchestratorServer server)
    {
        var body = await server.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/v1/providers");
        return body.GetProperty("accounts").EnumerateArray().First(a => a.GetProperty("account").GetString() == "simulator");
    }
}
