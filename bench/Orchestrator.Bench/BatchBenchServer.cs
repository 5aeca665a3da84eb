using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// The HTTP server exactly as <c>dotnet run --project src/Orchestrator.Server</c> builds it, in this process on a
/// loopback port with its own SQLite file, against a standalone simulator on another port (as a provider would be).
/// </summary>
public sealed class BatchBenchServer : IAsyncDisposable
{
    private readonly WebApplication _sim;
    private readonly WebApplication _app;

    private BatchBenchServer(WebApplication sim, WebApplication app, string databaseFile)
    {
        _sim = sim;
        _app = app;
        DatabaseFile = databaseFile;
        Simulator = sim.Services.GetRequiredService<ProviderSimulator>();
        // An upload of 100,000 lines or a wait for them may take minutes; the bench gives up on its own clock.
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Timeout.InfiniteTimeSpan };
    }

    public HttpClient Http { get; }
    public ProviderSimulator Simulator { get; }
    public string DatabaseFile { get; }

    /// <summary>Starts a simulator with <paramref name="simulator"/> and the server with the account at <paramref name="qps"/>.</summary>
    public static async Task<BatchBenchServer> StartAsync(string dataDirectory, SimulatorOptions simulator, double qps, double passivateAfterSeconds)
    {
        var sim = SimulatorProgram.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], simulator);
        await sim.StartAsync();
        var db = Path.Combine(dataDirectory, "batch.db");
        string[] args =
        [
            "--Urls=http://127.0.0.1:0",
            $"--Orchestrator:Storage:ConnectionString=Data Source={db}",
            $"--Orchestrator:Providers:simulator:BaseUrl={sim.Urls.First().TrimEnd('/')}/",
            FormattableString.Invariant($"--Orchestrator:Providers:simulator:Qps={qps}"),
            "--Simulator:InProcess=false",
            // As the throughput scenario: a zero-time task is done at its first poll, 0.2 s after its submit.
            "--Orchestrator:Polling:ImageFloorSeconds=0.2",
            "--Orchestrator:Polling:ImagePriorSeconds=0.2",
            FormattableString.Invariant($"--Orchestrator:Tasks:PassivateAfterSeconds={passivateAfterSeconds}"),
            $"--Orchestrator:Results:Directory={Path.Combine(dataDirectory, "results")}",
            "--Orchestrator:AkkaLogLevel=Warning",
            "--Logging:LogLevel:Default=Warning",
        ];
        var app = ServerProgram.Build(args);
        await app.StartAsync();
        var server = new BatchBenchServer(sim, app, db);
        var clock = Stopwatch.StartNew();
        while ((await server.Http.GetAsync("/healthz")).StatusCode != HttpStatusCode.OK)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("The server did not become ready.");
            await Task.Delay(100);
        }
        return server;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Journal rows so far: the batch's own events, every other (task) event, and the batch events' bytes.</summary>
    public async Task<(long BatchEvents, long BatchBytes, long OtherEvents)> JournalRowsAsync(string batchId)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabaseFile};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*), coalesce(sum(length(message)), 0) FROM journal WHERE persistence_id = $p; SELECT count(*) FROM journal WHERE persistence_id <> $p;";
        cmd.Parameters.AddWithValue("$p", "batch-" + batchId);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (events, bytes) = (reader.GetInt64(0), reader.GetInt64(1));
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return (events, bytes, reader.GetInt64(0));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _sim.StopAsync();
        await _sim.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}

/// <summary>
/// A JSON Lines body made while it is sent (chunked, no length): the client never holds the batch whole either.
/// <see cref="FirstByteTicks"/> is when its first line left, the start of the accept clock.
/// </summary>
public sealed class GeneratedBatchContent(int lines) : HttpContent
{
    private long _firstByteTicks;

    public long FirstByteTicks => Interlocked.Read(ref _firstByteTicks);
    public long BytesSent { get; private set; }

    public static string Line(int i) =>
        $"{{\"provider\":\"simulator\",\"kind\":\"text-to-image\",\"model\":\"kling-v1-5\",\"prompt\":\"a watercolour lighthouse at dusk, gulls over the harbour, variation {i}\",\"metadata\":{{\"row\":\"{i}\"}}}}\n";

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        Interlocked.Exchange(ref _firstByteTicks, Stopwatch.GetTimestamp());
        var buffer = new byte[64 * 1024];
        var used = 0;
        for (var i = 1; i <= lines; i++)
        {
            var line = Line(i);
            if (used + Encoding.UTF8.GetMaxByteCount(line.Length) > buffer.Length)
            {
                await stream.WriteAsync(buffer.AsMemory(0, used));
                BytesSent += used;
                used = 0;
            }
            used += Encoding.UTF8.GetBytes(line, buffer.AsSpan(used));
        }
        await stream.WriteAsync(buffer.AsMemory(0, used));
        BytesSent += used;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
