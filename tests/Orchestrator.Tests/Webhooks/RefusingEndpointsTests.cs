using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Persistence;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Webhooks;

/// <summary>
/// A few hundred endpoints that refuse every delivery each keep a pending delivery per completion: the journal takes
/// them in batches, so webhooks keep working for everyone else and the API keeps answering. A load test: it runs alone,
/// after the parallel tests, so their load is not mistaken for its own.
/// </summary>
[Collection(Api.AtTheLimitCollection.Name)]
public sealed class RefusingEndpointsTests(ITestOutputHelper output)
{
    private const int Refusing = 300;
    private const int Tasks = 20;

    // Skipped until the deliverers shared one completion stream: each ran its own 200 ms journal query (1,500 a second
    // at 300 endpoints), which could open the journal's breaker (a GET timed out after 30 s in one CI run of four).
    [Fact]
    public async Task Three_hundred_refusing_endpoints_leave_a_healthy_one_its_deliveries_and_the_webhook_api_fast()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.5, ImageMaxSeconds = 1, QueuedFraction = 0 });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl, WebhookTestServer.AllowPrivate,
            "--Orchestrator:Webhooks:MaxEndpointsPerTenant=400", "--Orchestrator:Providers:simulator:Qps=50");
        await using var receiver = await WebhookReceiver.StartAsync("whsec_" + Convert.ToBase64String(new byte[32]));
        var (_, secret) = await WebhookTestServer.RegisterAsync(server, receiver.Url);
        receiver.Secret = secret;
        var nobody = $"http://127.0.0.1:{ServerProcess.FreePort()}"; // nothing listens: every attempt is refused
        var refusing = new List<string>();
        for (var i = 0; i < Refusing; i++) refusing.Add((await WebhookTestServer.RegisterAsync(server, $"{nobody}/hook/{i}")).Id);

        var clock = Stopwatch.StartNew();
        var tasks = await WebhookTestServer.SubmitAsync(server, Tasks, "many refusing endpoints");
        var slowest = TimeSpan.Zero;
        var delivered = WebhookTestServer.WaitForAllAsync(receiver, tasks, seconds: 90);
        while (!delivered.IsCompleted)
        {
            var asked = Stopwatch.StartNew();
            var list = await server.Http.GetAsync("/v1/webhooks");
            if (asked.Elapsed > slowest) slowest = asked.Elapsed;
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/healthz")).StatusCode);
            await Task.WhenAny(delivered, Task.Delay(250));
        }
        await delivered;
        output.WriteLine($"healthy endpoint had all {Tasks} deliveries after {clock.Elapsed.TotalSeconds:0.0} s; slowest GET /v1/webhooks {slowest.TotalMilliseconds:0} ms");

        // The refusals were journaled, not dropped: each refusing endpoint keeps every completion for its next attempt.
        var sample = refusing[^1];
        var pending = await Eventually.Until(() => WebhookTestServer.DeliveriesAsync(server, sample), d => d.Count == Tasks, TimeSpan.FromSeconds(30),
            $"{Tasks} deliveries kept by a refusing endpoint");
        // How quick the API stayed is a figure (docs/reliability.md), not a pass mark: the answers above were all 200.
        var failedWrites = JournalHealth.For(server.Services.GetRequiredService<ActorSystem>()).Failures;
        output.WriteLine($"a refusing endpoint keeps {pending.Count} deliveries after {clock.Elapsed.TotalSeconds:0.0} s; {failedWrites} journal writes failed");
    }
}
