using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Batches;
using Orchestrator.Hosting;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Storage;

/// <summary>
/// <c>SubmitManyAsync</c> is back-pressured: while the journal cannot take writes (a write stalled behind a lock, then
/// failing until a trial write succeeds) the stream waits, and goes on once it can. It used to throw
/// <see cref="JournalUnavailableException"/> mid-stream, the refusal meant for one HTTP request, leaving the caller to
/// work out where to resume.
/// </summary>
public sealed class StreamWaitsForJournalTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_stream_submitted_while_the_journal_is_locked_waits_and_every_request_is_accepted_once_it_is_released()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 1, ImageMaxSeconds = 1, QueuedFraction = 0 });
        var db = dir.SqliteConnectionString();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Services.AddOrchestrator(new OrchestratorOptions
        {
            Storage = { ConnectionString = db },
            Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", BaseUrl = sim.BaseUrl, Qps = 50 } },
            Results = { Directory = Path.Combine(dir.Path, "results") },
        });
        using var host = builder.Build();
        await host.StartAsync();
        var orchestrator = host.Services.GetRequiredService<IOrchestrator>();
        await orchestrator.WhenReady;

        const int Requests = 300;
        var results = new List<TaskSubmitResult>();
        var clock = Stopwatch.StartNew();
        await using (var lockHolder = new SqliteConnection(db + ";Pooling=False"))
        {
            await lockHolder.OpenAsync();
            await Sql(lockHolder, "BEGIN EXCLUSIVE");
            // A write meets the lock and stalls; once it has for 3 s, a single submit is refused at once (the 503 path).
            var stalled = orchestrator.SubmitAsync(Image("meets the lock"));
            await Eventually.Until(async () =>
            {
                try { await orchestrator.SubmitAsync(Image("probe")).WaitAsync(TimeSpan.FromMilliseconds(500)); return false; }
                catch (JournalUnavailableException) { return true; }
                catch (TimeoutException) { return false; }
            }, refused => refused, TimeSpan.FromSeconds(30), "a single submit refused while the journal is locked");
            output.WriteLine($"single submits refused {clock.Elapsed.TotalSeconds:0.0} s after the lock");

            // Now a stream: it must wait, not fail. The lock goes 3 s after it starts.
            var streaming = Task.Run(async () =>
            {
                await foreach (var r in orchestrator.SubmitManyAsync(Stream(Requests))) results.Add(r);
            });
            var finished = await Task.WhenAny(streaming, Task.Delay(TimeSpan.FromSeconds(3)));
            if (finished == streaming) await streaming; // a stream that failed fails here, with its exception
            Assert.Empty(results); // nothing can have been accepted: the journal is locked
            await Sql(lockHolder, "ROLLBACK");
            output.WriteLine($"released {clock.Elapsed.TotalSeconds:0.0} s after the lock");
            await streaming.WaitAsync(TimeSpan.FromSeconds(90));
            await Task.WhenAll(stalled.ContinueWith(_ => { }));
        }
        output.WriteLine($"the stream ended {clock.Elapsed.TotalSeconds:0.0} s after the lock");

        Assert.Equal(Enumerable.Range(0, Requests), results.Select(r => r.Index));
        Assert.All(results, r => Assert.True(r.Accepted, string.Join("; ", r.Errors?.Select(e => e.Message) ?? [])));
        var last = await orchestrator.GetAsync(results[^1].Task!.Id);
        Assert.NotNull(last);
        await host.StopAsync();
    }

    private static TaskSubmission Image(string prompt) => new() { Provider = "simulator", Kind = "text-to-image", Model = "kling-v1-5", Prompt = prompt };

    private static async IAsyncEnumerable<TaskSubmission> Stream(int n, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var i = 0; i < n; i++)
        {
            if (i % 50 == 0) await Task.Yield();
            yield return Image($"streamed {i}");
        }
    }

    private static async Task Sql(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
