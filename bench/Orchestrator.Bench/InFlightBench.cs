using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// Issue 20, tasks in flight: N image tasks that take one to two hours at the provider, submitted one per
/// <c>POST /v1/tasks</c> to the server in a child process (account QPS high enough that none waits long for a submit
/// permit), then held while they are polled. The figure is the server's peak resident set (the kernel's <c>VmHWM</c>).
/// Every answer is counted by status: a 503 or 429 with <c>Retry-After</c> (node or queue full) is retried after it, as
/// a client should; a 500 is a defect.
/// </summary>
public static class InFlightBench
{
    private const long TargetPeakBytes = 1L << 30;

    public static async Task<int> RunAsync(int tasks, double qps, int concurrency, int holdSeconds, IReadOnlyList<string> settings, string dataDirectory)
    {
        ScenarioReport.Header("in-flight", $"{tasks:N0} tasks of 1–2 h at the provider, account at {qps} QPS, {concurrency} concurrent submits, " +
            $"held {holdSeconds} s after the last", dataDirectory, settings);
        EmbeddedOrchestrator.RaiseThreadPoolFloor();
        await using var sim = await BenchSimulator.StartAsync(new SimulatorOptions { ImageMinSeconds = 3600, ImageMaxSeconds = 7200 });
        using var server = ServerChild.Start(dataDirectory, sim.BaseUrl, qps, ["Orchestrator:Tasks:ImageDeadlineSeconds=86400", .. settings]);
        await server.WaitReadyAsync(TimeSpan.FromMinutes(2));

        var answers = new ConcurrentDictionary<string, int>();
        var accepted = 0;
        var clock = Stopwatch.StartNew();
        using var progress = new Timer(_ => Console.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0} s: {Volatile.Read(ref accepted):N0} accepted, " +
            $"{sim.Simulator.Stats().Tasks:N0} at the provider, server RSS {ScenarioReport.Mb(server.Process.RssBytes())}"), null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
        await Parallel.ForEachAsync(Enumerable.Range(0, tasks), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            if (await SubmitAsync(server.Http, i, answers)) Interlocked.Increment(ref accepted);
        });
        var acceptSeconds = clock.Elapsed.TotalSeconds;

        // "Waiting on the provider" means submitted there: wait for that, then hold while the tasks are polled.
        var atProvider = Stopwatch.StartNew();
        while (sim.Simulator.Stats().Tasks < accepted && atProvider.Elapsed < TimeSpan.FromMinutes(30)) await Task.Delay(500);
        var submittedSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(holdSeconds));
        var unfinished = await server.UnfinishedTasksAsync();
        var stats = sim.Simulator.Stats();
        var peak = server.Process.PeakRssBytes();
        var rssAtEnd = server.Process.RssBytes();
        server.Kill();

        var serverErrors = answers.Where(kv => kv.Key.StartsWith('5') && kv.Key != "503 with Retry-After").Sum(kv => kv.Value);
        Console.WriteLine();
        var met = ScenarioReport.AtMost($"peak RSS with {accepted:N0} tasks in flight", peak / ScenarioReport.MiB, TargetPeakBytes / ScenarioReport.MiB, "MB");
        ScenarioReport.Figure("accepted", $"{accepted:N0} of {tasks:N0} in {acceptSeconds:0.0} s ({accepted / acceptSeconds:N0}/s); all at the provider after {submittedSeconds:0.0} s");
        ScenarioReport.Figure("answers", string.Join(", ", answers.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value:N0}")));
        ScenarioReport.Figure("5xx other than 503 with Retry-After (defects)", serverErrors == 0 ? "none" : $"{serverErrors:N0}  <-- DEFECT");
        ScenarioReport.Figure("after holding", $"RSS {ScenarioReport.Mb(rssAtEnd)}; /v1/providers reports {unfinished:N0} unfinished; provider saw {stats.Submits:N0} submits, {stats.Polls:N0} polls");
        ScenarioReport.Json(new
        {
            scenario = "in-flight", cores = Environment.ProcessorCount, build = ScenarioReport.Build(), tasks, qps, concurrency, holdSeconds, accepted,
            acceptSeconds = Math.Round(acceptSeconds, 1), acceptPerSecond = Math.Round(accepted / acceptSeconds, 1), peakRssMb = Math.Round(peak / ScenarioReport.MiB),
            rssAtEndMb = Math.Round(rssAtEnd / ScenarioReport.MiB), answers, serverErrors, unfinished, met,
        });
        return accepted == tasks && serverErrors == 0 ? 0 : 1;
    }

    /// <summary>One task, retried after <c>Retry-After</c> while the node says it is full; true once accepted.</summary>
    private static async Task<bool> SubmitAsync(HttpClient http, int i, ConcurrentDictionary<string, int> answers)
    {
        var body = $$"""{"provider":"simulator","kind":"text-to-image","model":"kling-v1-5","prompt":"{{ImageFeed.Prompt(i)}}"}""";
        for (var attempt = 0; attempt < 100; attempt++)
        {
            string answer;
            TimeSpan? retryAfter = null;
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync("/v1/tasks", content);
                retryAfter = response.Headers.RetryAfter?.Delta;
                var code = (int)response.StatusCode;
                answer = code.ToString(System.Globalization.CultureInfo.InvariantCulture) + (retryAfter is null ? "" : " with Retry-After");
                if (response.IsSuccessStatusCode)
                {
                    answers.AddOrUpdate("2xx", 1, (_, n) => n + 1);
                    return true;
                }
                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests) || retryAfter is null)
                {
                    answers.AddOrUpdate(answer, 1, (_, n) => n + 1);
                    return false;
                }
            }
            catch (HttpRequestException ex)
            {
                answer = "no answer: " + ex.HttpRequestError;
                retryAfter = TimeSpan.FromSeconds(1);
            }
            answers.AddOrUpdate(answer, 1, (_, n) => n + 1);
            await Task.Delay(retryAfter.Value);
        }
        return false;
    }
}
