using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// Issue 24's figure: --tasks (default 200) seed-style clients, each submitting one image through the DMXAPI-style relay
/// and polling it every second (seed 000's loop), against an upstream account limited to --qps (default 10) by the
/// provider. Reports upstream calls per task, limit answers upstream and at the clients, and whether every client got a
/// result that downloads. Then, for comparison, the same clients straight at a provider with the same limit.
/// </summary>
public static class RelayBench
{
    private sealed record ClientRun(bool Succeeded, int Queries, int LimitAnswers, bool Downloaded, double Seconds, string? Failure);

    public static async Task<int> RunAsync(int clients, double qps, double minSeconds, double maxSeconds, string dataDirectory)
    {
        var simOptions = new SimulatorOptions { ImageMinSeconds = minSeconds, ImageMaxSeconds = maxSeconds, QpsLimit = qps, Seed = 24 };
        await using var sim = await BenchSimulator.StartAsync(simOptions);
        using var server = ServerChild.Start(dataDirectory, sim.BaseUrl, qps, []);
        await server.WaitReadyAsync(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        var relay = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => RunClientAsync(server.Http.BaseAddress!, "Bearer sk-relay-client", i)));
        var relaySeconds = clock.Elapsed.TotalSeconds;
        var upstream = sim.Simulator.Stats();

        await using var direct = await BenchSimulator.StartAsync(simOptions);
        clock.Restart();
        var straight = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => RunClientAsync(new Uri(direct.BaseUrl), "Bearer sim-key", i)));
        var directSeconds = clock.Elapsed.TotalSeconds;
        var directStats = direct.Simulator.Stats();

        var upstreamCalls = upstream.Submits + upstream.Polls + upstream.PageQueries;
        var upstreamLimit = upstream.RateLimitAnswers + upstream.ConcurrencyLimitAnswers + upstream.QpsExceededAnswers;
        var ok = relay.Count(r => r.Succeeded && r.Downloaded);
        Console.WriteLine();
        Console.WriteLine("== Relay benchmark ==");
        Console.WriteLine($"  clients                        {clients} seed-style (submit, then GET every 1 s), images of {minSeconds}-{maxSeconds} s");
        Console.WriteLine($"  upstream limit                 {qps} QPS (provider-enforced; the account is configured at the same figure)");
        Console.WriteLine($"  through the relay              {ok}/{clients} got their result and downloaded it, in {relaySeconds:0.0} s");
        Console.WriteLine($"    client queries               {relay.Sum(r => r.Queries)} ({relay.Average(r => r.Queries):0.0} per task)");
        Console.WriteLine($"    upstream calls               {upstreamCalls} ({(double)upstreamCalls / clients:0.00} per task: {upstream.Submits} submits, {upstream.Polls} polls, {upstream.PageQueries} page queries)");
        Console.WriteLine($"    limit answers upstream       {upstreamLimit}");
        Console.WriteLine($"    limit answers to clients     {relay.Sum(r => r.LimitAnswers)}");
        Console.WriteLine($"    client time to result        p50 {Percentile(relay, 0.5):0.0} s, p95 {Percentile(relay, 0.95):0.0} s");
        Console.WriteLine($"  straight at the provider       {straight.Count(r => r.Succeeded)}/{clients} got their result in {directSeconds:0.0} s; " +
            $"{straight.Count(r => r.LimitAnswers > 0)} met a limit answer (seed 000 raises on it), {directStats.RateLimitAnswers + directStats.QpsExceededAnswers} limit answers in all");
        foreach (var failure in relay.Where(r => r.Failure is not null).Select(r => r.Failure).Distinct().Take(5)) Console.WriteLine($"    relay failure: {failure}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BENCH_JSON {{\"clients\":{clients},\"qps\":{qps},\"succeeded\":{ok},\"seconds\":{relaySeconds:0.0},\"clientQueriesPerTask\":{relay.Average(r => r.Queries):0.00},\"upstreamCallsPerTask\":{(double)upstreamCalls / clients:0.00},\"upstreamLimitAnswers\":{upstreamLimit},\"clientLimitAnswers\":{relay.Sum(r => r.LimitAnswers)},\"directSucceeded\":{straight.Count(r => r.Succeeded)},\"directClientsLimited\":{straight.Count(r => r.LimitAnswers > 0)}}}"));
        return ok == clients && upstreamLimit == 0 ? 0 : 1;
    }

    /// <summary>Seed 000's loop: submit; query, and if unfinished sleep 1 s and query again, up to 600 s. Limit answers are counted, not fatal.</summary>
    private static async Task<ClientRun> RunClientAsync(Uri host, string authorization, int i)
    {
        using var http = new HttpClient { BaseAddress = host, Timeout = TimeSpan.FromSeconds(120) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        var started = Stopwatch.StartNew();
        var limits = 0;
        var queries = 0;
        string? id = null;
        while (id is null)
        {
            var created = await SendAsync(http, HttpMethod.Post, "/kling/v1/images/generations",
                $$"""{"model_name":"kling-v1-5","prompt":"relay client {{i}}","negative_prompt":"","output_format":"png","n":1,"aspect_ratio":"16:9","callback_url":""}""");
            if (created?["code"]?.GetValue<int>() == 0) id = created["data"]!["task_id"]!.GetValue<string>();
            else if (IsLimit(created)) { limits++; await Task.Delay(1000); }
            else return new ClientRun(false, queries, limits, false, started.Elapsed.TotalSeconds, "submit: " + created?.ToJsonString());
        }
        while (started.Elapsed < TimeSpan.FromSeconds(600))
        {
            queries++;
            var answer = await SendAsync(http, HttpMethod.Get, $"/kling/v1/images/generations/{id}", null);
            if (IsLimit(answer)) limits++;
            var status = answer?["data"]?["task_status"]?.GetValue<string>();
            if (status == "succeed")
            {
                var url = answer!["data"]!["task_result"]!["images"]![0]!["url"]!.GetValue<string>();
                using var file = await new HttpClient().GetAsync(url);
                return new ClientRun(true, queries, limits, file.IsSuccessStatusCode && (await file.Content.ReadAsByteArrayAsync()).Length > 0, started.Elapsed.TotalSeconds, null);
            }
            if (status == "failed") return new ClientRun(false, queries, limits, false, started.Elapsed.TotalSeconds, answer!["data"]!["task_status_msg"]?.GetValue<string>());
            await Task.Delay(1000);
        }
        return new ClientRun(false, queries, limits, false, started.Elapsed.TotalSeconds, "timed out after 600 s");
    }

    private static bool IsLimit(JsonNode? answer) => answer?["code"]?.GetValue<int>() is 1302 or 1303;

    private static async Task<JsonNode?> SendAsync(HttpClient http, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.SendAsync(request);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static double Percentile(IEnumerable<ClientRun> runs, double q)
    {
        var sorted = runs.Where(r => r.Succeeded).Select(r => r.Seconds).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }
}
