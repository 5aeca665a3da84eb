using System.Net.Http.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>The account's QPS holds where the provider counts it: at the simulator, over a true rolling second.</summary>
[Collection(AtTheLimitCollection.Name)]
public sealed class ThrottleOverHttpTests
{
    [Fact]
    public async Task A_burst_of_tasks_never_puts_more_than_the_limit_into_any_rolling_second_at_the_provider()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.5, ImageMaxSeconds = 1.5, QpsLimit = 20 });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl,
            "--Orchestrator:Providers:simulator:Qps=20");

        var submits = Enumerable.Range(0, 50).Select(i => server.SubmitAsync(Requests.Image($"burst {i}")));
        var ids = new List<string>();
        foreach (var response in await Task.WhenAll(submits))
            ids.Add((await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
        foreach (var id in ids) Assert.Equal(TaskLifecycle.Succeeded, (await server.WaitForEndAsync(id)).Status);

        var stats = sim.Sim.Stats();
        Assert.True(stats.RateLimitAnswers == 0, stats.ToString());
        Assert.InRange(stats.PeakRequestsPerSecond, 15, 20);
        Assert.Equal(50, stats.Submits);
    }
}
