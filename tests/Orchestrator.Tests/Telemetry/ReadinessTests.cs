using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Orchestrator.Simulator;
using Orchestrator.Tests.Security;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Telemetry;

/// <summary>
/// <c>/readyz</c> reports each readiness check (started, journal, read-model, providers) without a key, answers 503 while
/// one fails (here: the journal locked by another process, so writes stall) and 200 again once it passes; an enabled
/// account missing its credentials degrades it (200, named) rather than taking the node out of service.
/// </summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readyz_reports_each_check_and_names_an_enabled_account_that_is_not_configured()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions());
        // The shipped configuration's dmxapi account has no ApiKey: enabled, not configured.
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl,
            Keys.Key(0, "ops", "readyz-admin-key-8c2f1d", null, "admin"));

        var (status, body) = await ReadyzAsync(server);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body["status"]!.GetValue<string>());
        var checks = body["checks"]!.AsObject();
        Assert.Equal(["journal", "providers", "read-model", "started"], checks.Select(c => c.Key).Order());
        foreach (var name in new[] { "started", "journal", "read-model" }) Assert.Equal("healthy", checks[name]!["status"]!.GetValue<string>());
        Assert.Equal("degraded", checks["providers"]!["status"]!.GetValue<string>());
        Assert.Contains("Orchestrator:Providers:dmxapi:ApiKey", checks["providers"]!["data"]!["dmxapi"]!.GetValue<string>());
    }

    [Fact]
    public async Task Readyz_answers_503_while_the_journal_cannot_take_writes_and_200_once_it_can()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.4 });
        var db = dir.SqliteConnectionString();
        await using var server = await OrchestratorServer.StartAsync(db, sim.BaseUrl, "--Orchestrator:Providers:dmxapi:Enabled=false");
        Assert.Equal("healthy", (await ReadyzAsync(server)).Body["status"]!.GetValue<string>());

        await using (var lockHolder = new SqliteConnection(db + ";Pooling=False"))
        {
            await lockHolder.OpenAsync();
            await using (var begin = lockHolder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            }
            // A submit whose accept write now waits for the lock: the journal is not taking writes.
            using var impatient = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(1) };
            try { await impatient.PostAsync("/v1/tasks", System.Net.Http.Json.JsonContent.Create(Requests.Image("while locked"))); }
            catch (TaskCanceledException) { } // expected: its write waits for the lock

            var (status, body) = await Eventually.Until(() => ReadyzAsync(server), r => r.Status == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(20), "/readyz to report the stalled journal");
            Assert.Equal("unhealthy", body["checks"]!["journal"]!["status"]!.GetValue<string>());
            Assert.Contains("under way", body["checks"]!["journal"]!["description"]!.GetValue<string>());
            await using var rollback = lockHolder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }
        await Eventually.Until(() => ReadyzAsync(server), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/readyz to pass again");
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> ReadyzAsync(OrchestratorServer server)
    {
        // Probes carry no key.
        using var probe = new HttpClient { BaseAddress = server.Http.BaseAddress };
        using var response = await probe.GetAsync("/readyz");
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
