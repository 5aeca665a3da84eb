using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Webhooks;

/// <summary>
/// The journal refuses a write of the webhook registry (here: another process holds the SQLite file locked): the
/// registry stops. It must come back by itself, and meanwhile say so: <c>/healthz</c> 503, <c>/v1/webhooks*</c> 503
/// with Retry-After at once rather than after the ask timeout; afterwards deliveries resume.
/// </summary>
public sealed class WebhookRegistryOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_refused_registry_write_shows_in_healthz_and_503s_then_the_registry_comes_back_and_deliveries_resume()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.5, ImageMaxSeconds = 1, QueuedFraction = 0 });
        var db = dir.SqliteConnectionString();
        await using var server = await OrchestratorServer.StartAsync(db, sim.BaseUrl, WebhookTestServer.AllowPrivate);
        await using var receiver = await WebhookReceiver.StartAsync("whsec_" + Convert.ToBase64String(new byte[32]));
        var (id, secret) = await WebhookTestServer.RegisterAsync(server, receiver.Url);
        receiver.Secret = secret;
        await WebhookTestServer.WaitForAllAsync(receiver, await WebhookTestServer.SubmitAsync(server, 1, "before the outage"));

        var clock = Stopwatch.StartNew();
        // Another process's lock, as far as the server can tell: a connection of its own, not one of the server's pool.
        await using (var lockHolder = new SqliteConnection(db + ";Pooling=False"))
        {
            await lockHolder.OpenAsync();
            await using (var exclusive = lockHolder.CreateCommand())
            {
                exclusive.CommandText = "BEGIN EXCLUSIVE";
                await exclusive.ExecuteNonQueryAsync();
            }
            // A registration is a registry write: the journal cannot make it.
            using var impatient = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            var registering = impatient.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url + "/second" });

            var health = await Eventually.Until(() => server.Http.GetAsync("/healthz"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(45), "/healthz to say the webhook registry is down");
            var reason = (await health.Content.ReadFromJsonAsync<JsonNode>())!;
            output.WriteLine($"down after {clock.Elapsed.TotalSeconds:0.0} s: {reason.ToJsonString()}");
            Assert.Equal("degraded", (string?)reason["status"]);
            Assert.Contains("webhook registry", (string?)reason["reason"]);

            var asked = Stopwatch.StartNew();
            var list = await server.Http.GetAsync("/v1/webhooks");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
            Assert.NotNull(list.Headers.RetryAfter);
            Assert.True(asked.Elapsed < TimeSpan.FromSeconds(2), $"answered after {asked.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.Http.GetAsync($"/v1/webhooks/{id}/deliveries")).StatusCode);
            _ = registering.ContinueWith(_ => { }, TaskScheduler.Default); // its answer does not matter: the write was refused or came late
            await using var release = lockHolder.CreateCommand();
            release.CommandText = "ROLLBACK";
            await release.ExecuteNonQueryAsync();
        }

        clock.Restart();
        await Eventually.Until(() => server.Http.GetAsync("/healthz"), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60),
            "/healthz to be 200 again once the journal takes writes");
        output.WriteLine($"ready again {clock.Elapsed.TotalSeconds:0.0} s after the lock was released");
        var endpoints = await Eventually.Until(() => server.Http.GetAsync("/v1/webhooks"), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "GET /v1/webhooks");
        Assert.Contains(id, await endpoints.Content.ReadAsStringAsync());
        var after = await WebhookTestServer.SubmitAsync(server, 3, "after the outage");
        await WebhookTestServer.WaitForAllAsync(receiver, after);
    }
}
