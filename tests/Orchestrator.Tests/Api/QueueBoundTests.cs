using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

public sealed class QueueBoundTests
{
    [Fact]
    public async Task Past_the_accounts_queue_bound_a_submit_is_refused_with_429_and_retry_after_and_nothing_is_persisted()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 60, ImageMaxSeconds = 60 });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl,
            "--Orchestrator:Providers:simulator:Qps=0.2", "--Orchestrator:Providers:simulator:MaxQueuedSubmits=3");

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++) answers.Add(await server.SubmitAsync(Requests.Image($"queued {i}")));

        var accepted = answers.Count(a => a.StatusCode == HttpStatusCode.Accepted);
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(accepted, 3, 5); // the bound, plus what the throttle already let go
        Assert.Equal(8 - accepted, refused.Count);
        Assert.True(refused[0].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var problem = JsonNode.Parse(await refused[0].Content.ReadAsStringAsync())!;
        Assert.Equal("provider", (string)problem["field"]!);
        var listed = (await server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks?limit=100"))!["items"]!.AsArray();
        Assert.Equal(accepted, listed.Count);
    }
}
