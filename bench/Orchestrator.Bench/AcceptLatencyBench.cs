using System.Diagnostics;
using System.Text;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// Issue 20, accept latency: <c>POST /v1/tasks</c> at a fixed rate to the real server (a child process, Kestrel on
/// loopback), which answers only once the task is journaled. Open loop: request i is due at start + i / rate whether or
/// not earlier ones were answered, and its latency counts from when it was due, so a stall shows in the figures for every
/// request it delayed (no coordinated omission), the bench's own sending delays included. The accepted tasks run
/// meanwhile against a simulator in the bench process (2–6 s images), as they would in service.
/// </summary>
public static class AcceptLatencyBench
{
    private const double TargetP99Ms = 50;
    private const string Body = """{"provider":"simulator","kind":"text-to-image","model":"kling-v1-5","prompt":"a watercolour lighthouse at dusk, gulls over the harbour"}""";

    public static async Task<int> RunAsync(int rate, int seconds, int warmupSeconds, double qps, IReadOnlyList<string> settings, string dataDirectory)
    {
        ScenarioReport.Header("accept-latency", $"POST /v1/tasks at {rate}/s open loop, {warmupSeconds} s warm-up + {seconds} s measured, account at {qps} QPS", dataDirectory, settings);
        EmbeddedOrchestrator.RaiseThreadPoolFloor(); // the sender's own continuations must not wait for the pool to grow
        await using var sim = await BenchSimulator.StartAsync(new SimulatorOptions());
        using var server = ServerChild.Start(dataDirectory, sim.BaseUrl, qps, settings);
        await server.WaitReadyAsync(TimeSpan.FromMinutes(2));

        var total = rate * (warmupSeconds + seconds);
        var latencyMs = new double[total];
        var status = new int[total]; // HTTP status; -1 no answer (connection failed), -2 no answer within the timeout
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30),
        };
        var requests = new List<Task>(total);
        var worstSendLagMs = 0.0;
        var start = Stopwatch.GetTimestamp();
        for (var sent = 0; sent < total;)
        {
            var due = Math.Min(total, (int)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
            for (; sent < due; sent++)
            {
                var scheduled = start + (long)((double)sent * Stopwatch.Frequency / rate);
                worstSendLagMs = Math.Max(worstSendLagMs, Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds);
                requests.Add(SendAsync(http, sent, scheduled, latencyMs, status));
            }
            await Task.Delay(1);
        }
        await Task.WhenAll(requests);
        var stats = sim.Simulator.Stats();
        var peakRss = server.Process.PeakRssBytes();
        server.Kill();

        var measured = Enumerable.Range(rate * warmupSeconds, rate * seconds).ToList();
        var sorted = measured.Select(i => latencyMs[i]).Order().ToList();
        var (p50, p95, p99) = (BestFixedSchedule.Quantile(sorted, 0.5), BestFixedSchedule.Quantile(sorted, 0.95), BestFixedSchedule.Quantile(sorted, 0.99));
        var non2xx = measured.Count(i => status[i] is < 200 or > 299);
        // Accepted and refused apart: a quick refusal (503 with Retry-After) and a late acceptance are different answers.
        var split = measured.GroupBy(i => status[i]).OrderBy(g => g.Key).ToDictionary(g => Name(g.Key), g =>
        {
            var ms = g.Select(i => latencyMs[i]).Order().ToList();
            return new { count = ms.Count, p50Ms = Math.Round(BestFixedSchedule.Quantile(ms, 0.5), 2), p99Ms = Math.Round(BestFixedSchedule.Quantile(ms, 0.99), 2), maxMs = Math.Round(ms[^1], 2) };
        });
        var byStatus = split.ToDictionary(kv => kv.Key, kv => kv.Value.count);

        Console.WriteLine();
        var met = ScenarioReport.AtMost("accept latency p99", p99, TargetP99Ms, "ms", "0.0");
        ScenarioReport.Figure("p50 / p95 / p99 / max", $"{p50:0.0} / {p95:0.0} / {p99:0.0} / {sorted[^1]:0.0} ms over {sorted.Count:N0} requests (from the scheduled send)");
        ScenarioReport.Figure("answered non-2xx", $"{non2xx:N0} ({string.Join(", ", byStatus.Select(kv => $"{kv.Key}: {kv.Value:N0}"))})");
        foreach (var (answer, s) in split)
            ScenarioReport.Figure($"answered {answer}", $"{s.count:N0}, p50 / p99 / max {s.p50Ms:0.0} / {s.p99Ms:0.0} / {s.maxMs:0.0} ms");
        ScenarioReport.Figure("worst send delay of the bench itself", $"{worstSendLagMs:0.0} ms behind schedule (counted in the latencies)");
        ScenarioReport.Figure("meanwhile at the provider", $"{stats.Submits:N0} submits, {stats.Polls:N0} polls");
        ScenarioReport.Figure("server peak RSS", ScenarioReport.Mb(peakRss));
        ScenarioReport.Json(new
        {
            scenario = "accept-latency", cores = Environment.ProcessorCount, build = ScenarioReport.Build(), rate, seconds, warmupSeconds, qps,
            requests = sorted.Count, p50Ms = Math.Round(p50, 2), p95Ms = Math.Round(p95, 2), p99Ms = Math.Round(p99, 2), maxMs = Math.Round(sorted[^1], 2),
            non2xx, byStatus, byStatusLatency = split, worstSendLagMs = Math.Round(worstSendLagMs, 2), met, serverPeakRssMb = Math.Round(peakRss / ScenarioReport.MiB),
        });
        return non2xx == 0 ? 0 : 1;
    }

    private static async Task SendAsync(HttpClient http, int i, long scheduled, double[] latencyMs, int[] status)
    {
        try
        {
            using var content = new StringContent(Body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/v1/tasks", content);
            status[i] = (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            status[i] = -1;
        }
        catch (TaskCanceledException)
        {
            status[i] = -2;
        }
        latencyMs[i] = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
    }

    private static string Name(int status) => status switch
    {
        -1 => "no connection",
        -2 => "timed out (30 s)",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
