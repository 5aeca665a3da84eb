using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Callbacks;
using Orchestrator.Tasks;
using Orchestrator.Tests.Security;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Fuzz;

/// <summary>
/// Issue 21, hostile input: ten thousand seeded adversarial requests at every route of a real server (API keys on, the
/// simulator in-process, a SQLite file), a few at a time over loopback. Seed and count can be changed with
/// <c>ORCHESTRATOR_FUZZ_SEED</c> and <c>ORCHESTRATOR_FUZZ_REQUESTS</c>; docs/reliability.md quotes the last run.
/// </summary>
[Collection(HostileInputCollection.Name)]
public sealed class HostileInputTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 21;
    private const int DefaultRequests = 10_000;
    private const int Parallelism = 8;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_no_5xx_no_hang_store_nothing_and_leave_the_server_healthy()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ORCHESTRATOR_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("ORCHESTRATOR_FUZZ_REQUESTS"), out var n) ? n : DefaultRequests;
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), simulatorBaseUrl: "",
        [
            $"--Urls=http://127.0.0.1:{port}", "--Simulator:InProcess=true", "--Simulator:ImageMinSeconds=0.2", "--Simulator:ImageMaxSeconds=0.4",
            // As on a server others can reach: webhooks may not target this machine.
            "--Orchestrator:Webhooks:AllowLoopbackTargets=false",
            $"--Orchestrator:Callbacks:SecretFile={Path.Combine(dir.Path, "callback-secret")}",
            .. Keys.ServerArgs,
        ]);
        using var admin = Keys.Client(server, Keys.Admin);
        var targets = await SeedAsync(server, admin, port);
        var requests = new HostileRequests(seed, targets).Take(count).ToList();
        AssertEveryRouteIsAimedAt(server, requests);

        var before = await SettledRowsAsync(dir);
        var answers = new ConcurrentBag<HostileAnswer>();
        var watch = Stopwatch.StartNew();
        using var client = new HostileClient(new Uri($"http://127.0.0.1:{port}"), Bound);
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (request, _) => answers.Add(await client.SendAsync(request)));
        var took = watch.Elapsed;
        var health = await server.Http.GetAsync("/healthz");
        var after = Rows(dir);

        Report(seed, answers, took, before, after, health.StatusCode);
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_FUZZ_DUMP") is { Length: > 0 } dump) Dump(dump, answers);
        Assert.Equal(count, answers.Count);
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"/healthz answered {(int)health.StatusCode} after the run");
        // A readiness probe's 503 is its answer (a check failing under the load), not a fault.
        AssertNone(answers, a => a.Status >= 500 && !IsKestrelVersionAnswer(a) && !(a.Request.Route == "GET /readyz" && a.Status == 503), "5xx answers");
        AssertNone(answers, a => a.Status == HostileAnswer.Hung || a.Elapsed > client.BoundFor(a.Request), $"requests unanswered within their bound ({Bound.TotalSeconds} s, endless uploads 3×)");
        AssertNone(answers, a => a.Status == HostileAnswer.Failed, "requests the client could not send or read");
        AssertNone(answers, a => a.Request.Writes && a.Status is >= 200 and < 300 && a.Request.Target.StartsWith("/v1/", StringComparison.Ordinal),
            "writes the API accepted (each was built to be refused)");
        Assert.Equal(before, after);
    }

    /// <summary>
    /// 505 is Kestrel's own answer to a request line without an HTTP version it speaks (<c>GET /v1/tasks</c>,
    /// <c>HTTP/9.9</c>), written before any code of the server runs, and the one RFC 9110 (15.6.6) prescribes.
    /// </summary>
    private static bool IsKestrelVersionAnswer(HostileAnswer a) => a.Status == 505 && a.Request.Wire is not null;

    /// <summary>An ended task (with its genuine callback token) and an ended batch, for requests that name existing ids.</summary>
    private static async Task<FuzzTargets> SeedAsync(OrchestratorServer server, HttpClient admin, int port)
    {
        var submitted = await admin.PostAsJsonAsync("/v1/tasks", Requests.Image("fuzz seed"), OrchestratorServer.Json);
        var taskId = (await submitted.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id;
        var batch = await admin.PostAsync("/v1/batches", new StringContent(
            System.Text.Json.JsonSerializer.Serialize(Requests.Image("fuzz batch")), Encoding.UTF8, "application/x-ndjson"));
        var batchId = (string)System.Text.Json.Nodes.JsonNode.Parse(await batch.Content.ReadAsStringAsync())!["batchId"]!;
        foreach (var id in new[] { taskId })
            await Eventually.Until(async () => (await admin.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json))!,
                v => v.Status.IsTerminal() && v.Results.Count > 0, TimeSpan.FromSeconds(30), $"task {id} to end");
        await Eventually.Until(async () => System.Text.Json.Nodes.JsonNode.Parse(await admin.GetStringAsync($"/v1/batches/{batchId}"))!,
            b => (int?)b["counts"]?["succeeded"] == 1, TimeSpan.FromSeconds(30), $"batch {batchId} to end");
        // The task-webhook secret is made and journaled on first use: before the run, not during it.
        (await admin.GetAsync("/v1/webhooks/task-secret")).EnsureSuccessStatusCode();
        var token = server.Services.GetRequiredService<CallbackTokens>().Token(taskId);
        return new FuzzTargets(taskId, batchId, token, $"127.0.0.1:{port}");
    }

    /// <summary>Every route the server maps (its API and the simulator's) is one the generator aims at, with its own method.</summary>
    private void AssertEveryRouteIsAimedAt(OrchestratorServer server, IReadOnlyList<HostileRequest> requests)
    {
        var mapped = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .ToHashSet();
        var aimed = requests.Where(r => r.Method == r.Route[..r.Route.IndexOf(' ')]).Select(r => r.Route).ToHashSet();
        var missed = mapped.Except(aimed).Order().ToList();
        Assert.True(missed.Count == 0, $"routes no request aims at: {string.Join(", ", missed)}; aimed at: {string.Join(", ", aimed.Order())}");
    }

    /// <summary>The rows of every table once the seeded work has stopped writing (its result files, its projections).</summary>
    private static async Task<SortedDictionary<string, long>> SettledRowsAsync(TempDirectory dir)
    {
        var last = Rows(dir);
        var settled = await Eventually.Until(async () =>
        {
            await Task.Delay(1000);
            var (previous, now) = (last, Rows(dir));
            last = now;
            return (Same: previous.SequenceEqual(now), Rows: now);
        }, r => r.Same, TimeSpan.FromSeconds(30), "the journal to settle");
        return settled.Rows;
    }

    private static SortedDictionary<string, long> Rows(TempDirectory dir)
    {
        using var db = new SqliteConnection(dir.SqliteConnectionString() + ";Mode=ReadOnly;Pooling=False");
        db.Open();
        var tables = new List<string>();
        using (var list = db.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        var rows = new SortedDictionary<string, long>();
        foreach (var table in tables)
        {
            using var count = db.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            rows[table] = (long)count.ExecuteScalar()!;
        }
        return rows;
    }

    private static void AssertNone(IEnumerable<HostileAnswer> answers, Func<HostileAnswer, bool> bad, string what)
    {
        var found = answers.Where(bad).ToList();
        Assert.True(found.Count == 0, $"{found.Count} {what}:\n" + string.Join("\n", found.Take(25).Select(Line)));
    }

    /// <summary>Every answer that is not a plain 4xx or read, with the start of its body: for finding out why.</summary>
    private static void Dump(string path, IEnumerable<HostileAnswer> answers) =>
        File.WriteAllLines(path, answers.Where(a => a.Status is < 400 or >= 500 && !(a.Status is 200 && !a.Request.Writes))
            .Select(a => Line(a) + "\n    headers: " + string.Join("; ", a.Request.Headers.Select(h => $"{h.Key}: {h.Value}"))
                + "\n    body: " + Preview(a.Request.Body ?? a.Request.Wire?.Head)));

    private static string Preview(byte[]? body) => body is null ? "(none)"
        : System.Text.Json.JsonSerializer.Serialize(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 400)));

    private static string Line(HostileAnswer a) => $"  {Status(a.Status)} in {a.Elapsed.TotalMilliseconds:F0} ms: {a.Request}{(a.Error is null ? "" : " — " + a.Error)}";

    private static string Status(int status) => status switch
    {
        HostileAnswer.Closed => "closed",
        HostileAnswer.Hung => "hung",
        HostileAnswer.Failed => "client failure",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The figures docs/reliability.md quotes: requests, histogram, per-scenario classes, duration, slowest, rows.</summary>
    private void Report(int seed, IReadOnlyCollection<HostileAnswer> answers, TimeSpan took, SortedDictionary<string, long> before, SortedDictionary<string, long> after, HttpStatusCode health)
    {
        output.WriteLine($"seed {seed}: {answers.Count} requests in {took.TotalSeconds:F1} s ({answers.Count / took.TotalSeconds:F0}/s, {Parallelism} at a time); /healthz after: {(int)health}");
        output.WriteLine("status histogram: " + string.Join(", ", answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{Status(g.Key)}: {g.Count()}")));
        foreach (var scenario in answers.GroupBy(a => a.Request.Scenario).OrderBy(g => g.Key))
            output.WriteLine($"  {scenario.Key,-16} {scenario.Count(),5}: " + string.Join(", ", scenario.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{Status(g.Key)} ×{g.Count()}")));
        output.WriteLine("slowest: " + string.Join("; ", answers.OrderByDescending(a => a.Elapsed).Take(5).Select(a => $"{a.Elapsed.TotalMilliseconds:F0} ms {a.Request}")));
        output.WriteLine($"5xx: {answers.Count(a => a.Status >= 500 && !IsKestrelVersionAnswer(a))} (and {answers.Count(IsKestrelVersionAnswer)} 505 from Kestrel for an HTTP version it does not speak), hangs: {answers.Count(a => a.Status == HostileAnswer.Hung)}, rows before → after: "
            + string.Join(", ", after.Select(kv => $"{kv.Key} {before.GetValueOrDefault(kv.Key)} → {kv.Value}")));
    }
}

/// <summary>
/// The fuzz run goes alone, after the parallel tests: its 500 requests a second would load the machine under tests that
/// measure real request timing (as the simulator's bursts would, <c>SimulatorCollection</c>).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileInputCollection
{
    public const string Name = "Hostile input";
}
