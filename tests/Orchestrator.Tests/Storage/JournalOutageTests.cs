using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Storage;

/// <summary>
/// The journal cannot take writes (here: another process holds the SQLite file locked). Submits are refused with a 503
/// and Retry-After at once, not after a 30 s ask timeout; what was acknowledged before is kept, and its tasks resume and
/// end when the journal takes writes again (issue 21, "journal unavailable or overwhelmed").
/// </summary>
public sealed class JournalOutageTests(ITestOutputHelper output)
{
    private const int Before = 4;

    [Fact]
    public async Task A_locked_journal_refuses_submits_at_once_and_tasks_acknowledged_before_end_once_it_is_released()
    {
        using var dir = new TempDirectory();
        // Tasks long enough that some end while the journal is locked (their end cannot be written) and some after.
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 2, ImageMaxSeconds = 14, QueuedFraction = 0 });
        var db = dir.SqliteConnectionString();
        await using var server = await OrchestratorServer.StartAsync(db, sim.BaseUrl);
        var acknowledged = new List<string>();
        for (var i = 0; i < Before; i++) acknowledged.Add(await server.SubmitForIdAsync(Requests.Image($"before the lock {i}")));
        using var patient = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var impatient = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(1.5) };

        var key = Guid.NewGuid().ToString("N");
        var clock = Stopwatch.StartNew();
        await using (var lockHolder = new SqliteConnection(db + ";Pooling=False"))
        {
            await lockHolder.OpenAsync();
            await Sql(lockHolder, "BEGIN EXCLUSIVE");

            // The first submit meets the lock: its write waits.
            var first = Stopwatch.StartNew();
            var waiting = patient.PostAsJsonAsync("/v1/tasks", Requests.Image("meets the lock"), OrchestratorServer.Json);

            // Soon the node knows: a submit is refused at once. (Those that time out here are not acknowledged.)
            var (refused, took) = await Eventually.Until(async () =>
            {
                var asked = Stopwatch.StartNew();
                try { return ((HttpResponseMessage?)await impatient.PostAsJsonAsync("/v1/tasks", Requests.Image("refused"), OrchestratorServer.Json), asked.Elapsed); }
                catch (TaskCanceledException) { return (null, asked.Elapsed); }
            }, r => r.Item1?.StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(25), "a submit answered 503 within 1.5 s while the journal is locked");
            output.WriteLine($"refused {clock.Elapsed.TotalSeconds:0.0} s after the lock, in {took.TotalMilliseconds:0} ms: {await refused!.Content.ReadAsStringAsync()}");
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("journal", await refused.Content.ReadAsStringAsync());

            // The same for a submit with an idempotency key (nothing may be stored for it) and for a batch upload.
            var keyed = Stopwatch.StartNew();
            var withKey = await server.SubmitAsync(Requests.Image("refused, with a key", ("idempotencyKey", key)));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, withKey.StatusCode);
            Assert.True(keyed.Elapsed < TimeSpan.FromSeconds(1), $"answered after {keyed.Elapsed.TotalSeconds:0.0} s");
            var batch = Stopwatch.StartNew();
            var upload = await server.Http.PostAsync("/v1/batches", new StringContent(
                """{"provider":"simulator","kind":"text-to-image","model":"kling-v1-5","prompt":"a batch"}""" + "\n", Encoding.UTF8, "application/x-ndjson"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
            Assert.NotNull(upload.Headers.RetryAfter);
            Assert.True(batch.Elapsed < TimeSpan.FromSeconds(1), $"batch answered after {batch.Elapsed.TotalSeconds:0.0} s");

            // The submit whose write was under way is told when the journal gives up on it, not after the 30 s ask timeout.
            var answer = await waiting;
            output.WriteLine($"the submit that met the lock: {(int)answer.StatusCode} after {first.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.NotNull(answer.Headers.RetryAfter);
            Assert.True(first.Elapsed < TimeSpan.FromSeconds(20), $"answered after {first.Elapsed.TotalSeconds:0.0} s");

            await Sql(lockHolder, "ROLLBACK");
            output.WriteLine($"released after {clock.Elapsed.TotalSeconds:0.0} s");
        }

        clock.Restart();
        var accepted = await Eventually.Until(() => server.SubmitAsync(Requests.Image("after the lock")), r => r.StatusCode == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(60), "a submit accepted once the journal takes writes again");
        output.WriteLine($"accepting again {clock.Elapsed.TotalSeconds:0.0} s after the release");
        foreach (var id in acknowledged)
        {
            var view = await server.WaitForEndAsync(id, TimeSpan.FromSeconds(90));
            Assert.Equal(TaskLifecycle.Succeeded, view.Status);
        }
        output.WriteLine($"all {Before} acknowledged tasks succeeded {clock.Elapsed.TotalSeconds:0.0} s after the release");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/v1/tasks/{TaskIds.ForIdempotencyKey(key)}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    private static async Task Sql(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
