using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// Runs a <see cref="ChaosPlan"/> (issue 21): the simulator in this process (it outlives the server's kills and keeps its own
/// record of every create), the server as a child process on a SQLite file of <c>dataDirectory</c>, one batch of image tasks,
/// kills at seeded moments and faults on the plan's clock, <c>/v1/admin/stuck</c> sampled every 2 s; then every task's end is
/// checked against the provider's record of it. The CI tests (ChaosTests) and the bench's <c>chaos-*</c> scenarios share it.
/// </summary>
public static class ChaosRun
{
    private const int ShownAtMost = 5;
    private static readonly TimeSpan StuckEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    public static async Task<ChaosResult> RunAsync(ChaosPlan plan, string dataDirectory, Action<string>? say = null)
    {
        say ??= Console.WriteLine;
        await using var sim = await BenchSimulator.StartAsync(plan.SimulatorOptions());
        foreach (var account in ChaosPlan.Accounts)
            foreach (var fault in plan.DrawnFaults())
                sim.Simulator.Inject(account, fault, 1);
        var server = ServerChild.Start(dataDirectory, sim.BaseUrl, plan.Qps, plan.ServerSettings(sim.BaseUrl));
        var logFile = server.Process.LogFile;
        try
        {
            await server.WaitReadyAsync(StartTimeout);
            var (batchId, accepted) = await UploadAsync(server, plan);
            var clock = Stopwatch.StartNew();
            say($"  {accepted:N0} tasks accepted in batch {batchId}");

            var random = new Random(plan.Seed);
            var killAt = new Queue<(int Ended, int DelayMs)>(Enumerable.Range(0, plan.Kills)
                .Select(_ => ((int)((0.10 + 0.75 * random.NextDouble()) * plan.Tasks), random.Next(0, 1000))).OrderBy(k => k.Item1));
            var outages = new Queue<ChaosOutage>((plan.Outages ?? []).OrderBy(o => o.AtSeconds));
            var outagesRun = new List<string>();
            var stuck = new StuckSamples();
            var kills = 0;
            var nextStuck = TimeSpan.Zero;
            var timeout = plan.Timeout ?? TimeSpan.FromSeconds(120 + plan.Tasks / 5.0);
            var ended = 0;
            while (clock.Elapsed < timeout)
            {
                while (outages.TryPeek(out var o) && clock.Elapsed.TotalSeconds >= o.AtSeconds)
                {
                    outages.Dequeue();
                    StartOutage(sim.Simulator, o);
                    outagesRun.Add($"{o.Fault} for {o.Seconds:0.#} s on {o.Account ?? "every account"} from {clock.Elapsed.TotalSeconds:0.0} s");
                    say("  " + outagesRun[^1]);
                }
                ended = await EndedAsync(server, batchId);
                if (ended >= accepted) break;
                if (killAt.TryPeek(out var kill) && ended >= kill.Ended)
                {
                    killAt.Dequeue();
                    await Task.Delay(kill.DelayMs);
                    server.Kill();
                    kills++;
                    var stats = sim.Simulator.Stats();
                    say($"  {clock.Elapsed.TotalSeconds,5:0.0} s: SIGKILL {kills} with {ended:N0} ended ({stats.Submits:N0} creates at the provider so far)");
                    var next = server.StartAgain();
                    server.Dispose();
                    server = next;
                    await server.WaitReadyAsync(StartTimeout);
                    say($"  {clock.Elapsed.TotalSeconds,5:0.0} s: started again");
                }
                if (clock.Elapsed >= nextStuck)
                {
                    nextStuck = clock.Elapsed + StuckEvery;
                    await stuck.SampleAsync(server);
                }
                await Task.Delay(250);
            }
            await stuck.SampleAsync(server);
            var seconds = clock.Elapsed.TotalSeconds;
            say($"  {seconds,5:0.0} s: {ended:N0} of {accepted:N0} ended");
            var views = await ResultsAsync(server, batchId);
            server.Kill();
            return Judge(plan, sim.Simulator, views, accepted, kills, seconds, stuck, ErrorLines(logFile), outagesRun);
        }
        finally
        {
            server.Dispose();
        }
    }

    private static void StartOutage(ProviderSimulator sim, ChaosOutage o)
    {
        if (o.Account is null) sim.StartOutage(o.Fault, TimeSpan.FromSeconds(o.Seconds));
        else sim.Account(o.Account).StartOutage(o.Fault, TimeSpan.FromSeconds(o.Seconds));
    }

    private static async Task<(string BatchId, int Accepted)> UploadAsync(ServerChild server, ChaosPlan plan)
    {
        var lines = new StringBuilder();
        for (var line = 1; line <= plan.Tasks; line++)
        {
            var account = ChaosPlan.AccountOf(line);
            lines.Append(JsonSerializer.Serialize(new { provider = account, kind = "text-to-image", model = ChaosPlan.Model(account), prompt = plan.Prompt(line) })).Append('\n');
        }
        using var content = new StringContent(lines.ToString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await server.Http.PostAsync("/v1/batches", content);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"POST /v1/batches answered {(int)response.StatusCode}: {body}");
        var answer = JsonSerializer.Deserialize<JsonElement>(body);
        return (answer.GetProperty("batchId").GetString()!, answer.GetProperty("accepted").GetInt32());
    }

    private static async Task<int> EndedAsync(ServerChild server, string batchId) =>
        (await server.GetJsonAsync($"/v1/batches/{batchId}")).GetProperty("ended").GetInt32();

    /// <summary>The batch's ended tasks, one view per line of <c>GET /v1/batches/{id}/results</c>.</summary>
    private static async Task<List<JsonElement>> ResultsAsync(ServerChild server, string batchId)
    {
        var text = await server.Http.GetStringAsync($"/v1/batches/{batchId}/results");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<JsonElement>(l))];
    }

    /// <summary>Lines logged at error level or above (<c>fail:</c>, <c>crit:</c>), each with the line after it (the message).</summary>
    private static List<string> ErrorLines(string logFile)
    {
        var lines = File.Exists(logFile) ? File.ReadAllLines(logFile) : [];
        return [.. lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("fail:", StringComparison.Ordinal) || x.l.StartsWith("crit:", StringComparison.Ordinal))
            .Select(x => x.l + (x.i + 1 < lines.Length ? " " + lines[x.i + 1].Trim() : ""))];
    }

    private static ChaosResult Judge(ChaosPlan plan, ProviderSimulator sim, List<JsonElement> views, int accepted, int kills, double seconds,
        StuckSamples stuck, List<string> errors, List<string> outages)
    {
        var wrong = new List<string>();
        var byLine = new Dictionary<int, JsonElement>();
        foreach (var v in views)
        {
            byLine[v.GetProperty("batchLine").GetInt32()] = v;
            if (WrongEnd(sim, v) is { } why) wrong.Add(why);
        }
        var accounts = ChaosPlan.Accounts.Select(name =>
        {
            var mine = views.Where(v => v.GetProperty("provider").GetString() == name).ToList();
            var stats = sim.Stats(name);
            // A request the provider created twice must belong to a task marked possibleDuplicate.
            var unmarked = sim.Account(name).RepeatedRequests()
                .Select(body => JsonSerializer.Deserialize<JsonElement>(body).TryGetProperty("ref_prompt", out var p) ? plan.LineOf(p.GetString() ?? "") : null)
                .Count(line => line is not { } l || !byLine.TryGetValue(l, out var v) || !IsMarked(v));
            return new ChaosAccountFigures(name, mine.Count, mine.Count(v => Status(v) == "succeeded"), mine.Count(v => Status(v) == "failed"),
                stats.Tasks, stats.DuplicateExternalIds, stats.DuplicateRequests, mine.Count(IsMarked), unmarked, stats.PeakRequestsPerSecond,
                stats.QpsExceededAnswers, stats.RateLimitAnswers, stats.ServerErrors, stats.Timeouts, stats.MalformedAnswers, stats.Resets, stats.UnavailableAnswers);
        }).ToList();
        return new ChaosResult(plan, accepted, byLine.Count, kills, seconds, accounts, wrong.Count, [.. wrong.Take(ShownAtMost)], stuck.Count, stuck.NotEmpty,
            stuck.Seen, errors.Count, [.. errors.Take(ShownAtMost)], outages);
    }

    private static string? Status(JsonElement v) => v.GetProperty("status").GetString();

    private static bool IsMarked(JsonElement v) => v.TryGetProperty("possibleDuplicate", out var p) && p.ValueKind == JsonValueKind.True;

    /// <summary>Why a task's end is not the one the provider's record says, or null when it is right.</summary>
    private static string? WrongEnd(ProviderSimulator sim, JsonElement v)
    {
        var id = v.GetProperty("id").GetString();
        var status = Status(v);
        var error = v.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? $" ({e.GetProperty("code").GetString()}: {e.GetProperty("message").GetString()})" : "";
        if (!v.TryGetProperty("providerTaskId", out var pid) || pid.GetString() is not { } providerTaskId) return $"{id} {status}{error} without reaching the provider";
        if (sim.Account(v.GetProperty("provider").GetString()!).Peek(providerTaskId) is not { } task) return $"{id} {status}{error}: the provider has no task {providerTaskId}";
        var expected = task.FailureReason is null ? "succeeded" : "failed";
        return status == expected ? null : $"{id} {status}{error}, the provider says {expected}";
    }

    /// <summary><c>GET /v1/admin/stuck</c> answers during a run (the server has no API keys on loopback: open).</summary>
    private sealed class StuckSamples
    {
        public int Count { get; private set; }
        public int NotEmpty { get; private set; }
        public List<string> Seen { get; } = [];

        public async Task SampleAsync(ServerChild server)
        {
            var report = await server.GetJsonAsync("/v1/admin/stuck");
            Count++;
            var stuck = report.GetProperty("stuck");
            if (stuck.GetArrayLength() == 0) return;
            NotEmpty++;
            foreach (var t in stuck.EnumerateArray().Take(ShownAtMost - Seen.Count))
                Seen.Add($"{t.GetProperty("taskId").GetString()} {t.GetProperty("status")} {t.GetProperty("reason").GetString()}");
        }
    }
}
