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

    public static async Task<int> RunAsync(int tasks, double qps, IReadOnlyList<string> settings, string dataDirectory)
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

        sim.Queries.Arm(Stopwatch.GetTimestamp());
        using var second = first.StartAgain();
        var ready = await second.WaitReadyAsync(TimeSpan.FromMinutes(15));
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        while (sim.Queries.Tasks < atProvider && clock.Elapsed < ResumeTimeout)
        {
            if (clock.Elapsed - reported >= TimeSpan.FromSeconds(15))
            {
                reported = clock.Elapsed;
                Console.WriteLine($"  {Stopwatch.GetElapsedTime(second.Process.StartedTicks).TotalSeconds,5:0} s after the start: {sim.Queries.Tasks:N0} of {atProvider:N0} queried");
            }
            await Task.Delay(100);
        }
        var unfinishedSeen = await second.UnfinishedTasksAsync();
        second.Kill();

        // Seconds from the new process's start (the arming was just before it).
        var firsts = sim.Queries.FirstQuerySeconds();
        var all = firsts.Length >= atProvider && firsts.Length > 0;
        var allSeconds = all ? firsts[^1] : double.PositiveInfinity;
        Console.WriteLine();
        var met = ScenarioReport.AtMost($"all {atProvider:N0} tasks queried again after the restart", all ? allSeconds : double.NaN, TargetSeconds, "s", "0.0");
        ScenarioReport.Figure("tasks queried", $"{firsts.Length:N0} of {atProvider:N0}{(all ? "" : $" within {ResumeTimeout.TotalMinutes:0} min  <-- NOT ALL")}; " +
            $"{sim.Queries.Queries:N0} task queries in all since the restart");
        ScenarioReport.Figure("/healthz 200", $"{ready.ReadySeconds:0.00} s after the process start");
        if (firsts.Length > 0)
            ScenarioReport.Figure("first query after the start", $"earliest {firsts[0]:0.0} s, median {BestFixedSchedule.Quantile(firsts, 0.5):0.0} s, " +
                $"p95 {BestFixedSchedule.Quantile(firsts, 0.95):0.0} s, last {firsts[^1]:0.0} s");
        PrintHistogram(firsts);
        ScenarioReport.Figure("after the restart", $"/v1/providers reports {unfinishedSeen:N0} unfinished tasks");
        ScenarioReport.Json(new
        {
            scenario = "restart-unfinished", cores = Environment.ProcessorCount, build = ScenarioReport.Build(), tasks, qps, atProvider,
            queried = firsts.Length, allQueriedSeconds = all ? Math.Round(allSeconds, 2) : (double?)null, readySeconds = Math.Round(ready.ReadySeconds, 3),
            firstQueriesPerSecond = PerSecond(firsts), unfinishedSeen, met,
        });
        return submitted && all ? 0 : 1;
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
