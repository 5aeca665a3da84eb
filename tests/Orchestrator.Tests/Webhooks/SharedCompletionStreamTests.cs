using System.Diagnostics;
using LinqToDB.Data;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Orchestrator.Webhooks;
using Xunit.Abstractions;
using static Orchestrator.Tests.Webhooks.WebhookTestServer;

namespace Orchestrator.Tests.Webhooks;

/// <summary>
/// Every endpoint follows the same completion stream: the journal is asked for new completions once per refresh,
/// however many endpoints there are, and each completion's task is looked up once (issue 21, probe 2).
/// </summary>
public sealed class SharedCompletionStreamTests(ITestOutputHelper output)
{
    private const int Endpoints = 50;

    [Fact]
    public async Task Fifty_endpoints_get_every_completion_from_one_journal_query()
    {
        using var dir = new TempDirectory();
        // Before the server starts: its journal's connections take the trace hook when they are made.
        using var queries = JournalQueries.ByTag(dir.Path);
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5, QueuedFraction = 0 });
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), sim.BaseUrl, AllowPrivate);
        var secret = WebhookSignature.NewSecret();
        await using var receiver = await WebhookReceiver.StartAsync(secret);
        for (var i = 0; i < Endpoints; i++) await RegisterAsync(server, receiver.Url, secret: secret);

        var tasks = await SubmitAsync(server, 3, "shared stream");
        await Eventually.Until(() => Task.FromResult(receiver.Accepted.Count), n => n >= Endpoints * tasks.Count, TimeSpan.FromSeconds(60),
            $"{Endpoints} endpoints × {tasks.Count} deliveries");
        Assert.Equal(tasks.Order(), receiver.AcceptedTaskIds.Order());
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));

        // Now idle: what still reads the journal's tags is the live queries, each asking every 200 ms.
        var before = queries.Total;
        var window = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var counted = queries.Total - before;
        var perSecond = counted / window.Elapsed.TotalSeconds;
        output.WriteLine($"{counted} tag queries in {window.Elapsed.TotalSeconds:0.0} s ({perSecond:0} a second) with {Endpoints} endpoints");
        // One query per live stream per refresh: the read model's projectors and one completion stream, not one per endpoint.
        Assert.True(perSecond < 40, $"{perSecond:0} tag queries a second with {Endpoints} endpoints (one each would be {Endpoints * 5})");
    }
}

/// <summary>Counts the SQL statements run against one test's SQLite files (linq2db's trace, process-wide while it lives).</summary>
internal sealed class JournalQueries : IDisposable
{
    private readonly Action<TraceInfo>? _previous = DataConnection.DefaultOnTraceConnection;
    private readonly TraceLevel _previousLevel = DataConnection.TraceSwitch.Level;
    private int _total;

    private JournalQueries() { }

    public int Total => Volatile.Read(ref _total);

    /// <summary>Events-by-tag queries (live or current) on the SQLite files under <paramref name="folder"/>.</summary>
    public static JournalQueries ByTag(string folder)
    {
        var counter = new JournalQueries();
        DataConnection.DefaultOnTraceConnection = info =>
        {
            if (info.TraceInfoStep == TraceInfoStep.BeforeExecute
                && info.DataConnection?.Options.ConnectionOptions.ConnectionString?.Contains(folder, StringComparison.Ordinal) == true
                && info.SqlText?.Contains("@Tag", StringComparison.Ordinal) == true)
                Interlocked.Increment(ref counter._total);
        };
        DataConnection.TurnTraceSwitchOn(TraceLevel.Info);
        return counter;
    }

    public void Dispose()
    {
        DataConnection.DefaultOnTraceConnection = _previous!;
        DataConnection.TraceSwitch.Level = _previousLevel;
    }
}
