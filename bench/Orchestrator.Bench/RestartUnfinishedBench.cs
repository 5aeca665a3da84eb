using System.Diagnostics;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// Issue 20, restart with work under way: N tasks submitted to a provider where they take hours, the server killed
/// (SIGKILL) and started again as a process. Resumption is measured from outside: the simulator (in the bench process, so
/// it lives through the restart) records each task's first query after the restart (a poll by provider id, or a look-up by
/// our id), and the figure is the time from the new process's start until every task was queried at least once.
/// Resumed tasks spread their first poll over their plan's first interval on purpose (<c>Polling:ImagePriorSeconds</c>
/// until durations are learned, 10 s by default), so the figure includes up to that much by design.
/// </summary>
public static class RestartUnfinishedBench
{
    private const double TargetSeconds = 60;
    private static readonly TimeSpan ResumeTimeout = TimeSpan.FromMinutes(15);

    public static async Task<int> RunAsync(int tasks, double qps, int restarts, IReadOnlyList<string> settings, string dataDirectory)
    {
        ScenarioReport.Header("restart-unfinished", $"{tasks:N0} unfinished tasks (hours at the provider), account at {qps} QPS, then kill -9 and start again", dataDirectory, settings);
        EmbeddedOrchestrator.RaiseThreadPoolFloor();
        await using var sim = await BenchSimulator.StartAsync(new SimulatorOptions { ImageMinSeconds = 36_000, ImageMaxSeconds = 36_000 });
        using var first = ServerChild.Start(dataDirectory, sim.BaseUrl, qps, ["Orchestrator:Tasks:ImageDeadlineSeconds=86400", .. settings]);
        await first.WaitReadyAsync(TimeSpan.FromMinutes(2));
        var batches = await ServerBatches.UploadAsync(first, tasks);
        var submitted = await ServerBatches.WaitSubmittedAsync(first, batches, TimeSpan.FromSeconds(600 + tasks / 20.0));
        var atProvider = sim.Simulator.Stats().Tasks;
        Console.WriteLine($"  {tasks:N0} accepted, {atProvider:N0} at the provider{(submitted ? "" : " (NOT ALL SUBMITTED)")}; killing the server");
        first.Kill();

        // Each start is killed in turn and the next one starts on the same journal: the tasks stay unfinished (ten hours at
        // the provider), so every start resumes all of them again.
        var runs = new List<Resumption>();
        var previous = first;
        for (var i = 1; i <= restarts; i++)
        {
            sim.Queries.Arm(Stopwatch.GetTimestamp());
            using var next = previous.StartAgain();
            var run = await ResumeAsync(sim, next, atProvider);
            next.Kill();
            Console.WriteLine($"  start {i} of {restarts}: {run.Firsts.Length:N0} of {atProvider:N0} queried, the last {(run.All ? $"{run.AllSeconds:0.0} s" : "never")} " +
                $"after the process start; /healthz 200 after {run.Ready.ReadySeconds:0.00} s");
            runs.Add(run);
            previous = next;
        }
        var all = runs.All(r => r.All);
        var median = runs.Select(r => r.AllSeconds).Order().ElementAt(runs.Count / 2);
        var middle = runs.OrderBy(r => r.AllSeconds).ElementAt(runs.Count / 2);
        var firsts = middle.Firsts;

        Console.WriteLine();
        var met = ScenarioReport.AtMost($"all {atProvider:N0} tasks queried again after the restart (median of {restarts})", double.IsFinite(median) ? median : double.NaN,
            TargetSeconds, "s", "0.0");
        ScenarioReport.Figure("each start", string.Join(", ", runs.Select(r => r.All ? $"{r.AllSeconds:0.0} s" : $"{r.Firsts.Length:N0} queried in {ResumeTimeout.TotalMinutes:0} min")));
        ScenarioReport.Figure("/healthz 200", string.Join(", ", runs.Select(r => $"{r.Ready.ReadySeconds:0.00} s")) + " after the process start");
        ScenarioReport.Figure("task queries in all since each start", string.Join(", ", runs.Select(r => r.Queries.ToString("N0"))));
        if (firsts.Length > 0)
            ScenarioReport.Figure("first query after the start (the median start)", $"earliest {firsts[0]:0.0} s, median {BestFixedSchedule.Quantile(firsts, 0.5):0.0} s, " +
                $"p95 {BestFixedSchedule.Quantile(firsts, 0.95):0.0} s, last {firsts[^1]:0.0} s");
        PrintHistogram(firsts);
        ScenarioReport.Figure("after each restart", "/v1/providers reports " + string.Join(", ", runs.Select(r => r.UnfinishedSeen.ToString("N0"))) + " unfinished tasks");
        ScenarioReport.Json(new
        {
            scenario = "restart-unfinished", cores = Environment.ProcessorCount, build = ScenarioReport.Build(), tasks, qps, atProvider,
            queried = firsts.Length, allQueriedSeconds = all ? Math.Round(median, 2) : (double?)null,
            eachAllQueriedSeconds = runs.Select(r => r.All ? Math.Round(r.AllSeconds, 2) : (double?)null).ToArray(),
            readySeconds = runs.Select(r => Math.Round(r.Ready.ReadySeconds, 3)).ToArray(),
            firstQueriesPerSecond = PerSecond(firsts), unfinishedSeen = runs.Select(r => r.UnfinishedSeen).ToArray(), met,
        });
        return submitted && all ? 0 : 1;
    }

    private sealed record Resumption(ServerStart Ready, double[] Firsts, long Queries, int UnfinishedSeen, bool All)
    {
        public double AllSeconds => All ? Firsts[^1] : double.PositiveInfinity;
    }

    /// <summary>From just before the process starts until the simulator saw every task queried (or the timeout).</summary>
    private static async Task<Resumption> ResumeAsync(BenchSimulator sim, ServerChild server, int atProvider)
    {
        var ready = await server.WaitReadyAsync(TimeSpan.FromMinutes(15));
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        while (sim.Queries.Tasks < atProvider && clock.Elapsed < ResumeTimeout)
        {
            if (clock.Elapsed - reported >= TimeSpan.FromSeconds(15))
            {
                reported = clock.Elapsed;
                Console.WriteLine($"  {Stopwatch.GetElapsedTime(server.Process.StartedTicks).TotalSeconds,5:0} s after the start: {sim.Queries.Tasks:N0} of {atProvider:N0} queried");
            }
            await Task.Delay(100);
        }
        var unfinishedSeen = await server.UnfinishedTasksAsync();
        // Seconds from the new process's start (the arming was just before it).
        var firsts = sim.Queries.FirstQuerySeconds();
        return new Resumption(ready, firsts, sim.Queries.Queries, unfinishedSeen, firsts.Length >= atProvider && firsts.Length > 0);
    }

    /// <summary>Tasks first queried in each second after the start: how start-up spreads the resumed polls.</summary>
    private static void PrintHistogram(double[] firsts)
    {
        var perSecond = PerSecond(firsts);
        if (perSecond.Length == 0) return;
        // Up to 60 rows: one per second, or per a few seconds when resumption took longer.
        var width = Math.Max(1, (int)Math.Ceiling(perSecond.Length / 60.0));
        var peak = perSecond.Chunk(width).Max(c => c.Sum());
        Console.WriteLine($"  first queries per {(width == 1 ? "second" : $"{width} s")} after the process start:");
        foreach (var (chunk, i) in perSecond.Chunk(width).Select((c, i) => (c, i)))
        {
            var n = chunk.Sum();
            Console.WriteLine($"    {i * width,4}–{(i + 1) * width,-4} s {n,8:N0} {new string('#', (int)Math.Ceiling(40.0 * n / Math.Max(1, peak)))}");
        }
    }

    private static int[] PerSecond(double[] firsts)
    {
        if (firsts.Length == 0) return [];
        var counts = new int[(int)firsts[^1] + 1];
        foreach (var s in firsts) counts[(int)s]++;
        return counts;
    }
}
