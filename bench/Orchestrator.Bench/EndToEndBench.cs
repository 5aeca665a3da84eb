using System.Diagnostics;
using Orchestrator.Hosting;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>What the sustained run measured.</summary>
public sealed record EndToEndRun(int Accepted, int Rejected, int Ended, int Succeeded, int EndedInWindow, int[] PerSecond,
    bool Drained, string? FirstProblem, long PeakRssBytes);

/// <summary>
/// Issue 20, end to end: image tasks fed through <see cref="IOrchestrator.SubmitManyAsync"/> (closed loop, a window of
/// tasks in flight) to a zero-time simulator until they succeed, every change journaled, for a warm-up and then
/// <c>--seconds</c>; the figure is tasks ended per second over the sustained part only. Then the journal rows per finished
/// task are counted and the bare-actor baseline runs with that many writes per task, for the ratio.
/// </summary>
public static class EndToEndBench
{
    private const double TargetTasksPerSecond = 1000, TargetRatio = 0.8;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(int seconds, int warmupSeconds, int window, StorageChoice storage, IReadOnlyList<string> settings,
        string dataDirectory)
    {
        ScenarioReport.Header("e2e", $"{warmupSeconds} s warm-up + {seconds} s sustained, {window} tasks in flight, journal {storage.Provider}", dataDirectory, settings);
        EndToEndRun run;
        JournalRows rows;
        // Zero duration and no queued phase: every task is done by its first poll, so the orchestrator is what is measured.
        await using (var sim = await BenchSimulator.StartAsync(new SimulatorOptions { ImageMinSeconds = 0, ImageMaxSeconds = 0, QueuedFraction = 0 }))
        {
            var config = EmbeddedOrchestrator.Settings(dataDirectory, sim.BaseUrl, storage, settings);
            ScenarioReport.Figure("orchestrator", EmbeddedOrchestrator.Describe(config, "Orchestrator:Polling:ImageFloorSeconds",
                "Orchestrator:Tasks:PassivateAfterSeconds", "Orchestrator:Results:Enabled"));
            var createdFrom = DateTimeOffset.UtcNow;
            await using var host = await EmbeddedOrchestrator.StartAsync(config);
            var before = await JournalRows.CountAsync(storage, dataDirectory);
            run = await MeasureAsync(host.Orchestrator, seconds, warmupSeconds, window, createdFrom);
            rows = await JournalRows.CountAsync(storage, dataDirectory) - before;
        }
        var perTask = run.Ended == 0 ? double.NaN : (double)rows.Events / run.Ended;
        // Said now, so a baseline that fails still leaves the run's own figure.
        Console.WriteLine($"  orchestrator: {(double)run.EndedInWindow / seconds:N1} tasks/s over the window; now the baseline, {window:N0} actors at a time");
        GC.Collect();
        GC.WaitForPendingFinalizers();

        // The same writes per task on bare persistent actors, as many at a time as the run had in flight: the ceiling this
        // journal allows.
        var k = double.IsFinite(perTask) ? Math.Max(1, (int)Math.Round(perTask)) : 3;
        var baselineStorage = storage.IsSqlite ? null : new StorageOptions { Provider = storage.Provider, ConnectionString = storage.ConnectionStringIn(dataDirectory) };
        var baseline = await BaselineBench.RunAsync(Math.Max(1000, run.Ended), k, dataDirectory, baselineStorage, window);

        var rate = (double)run.EndedInWindow / seconds;
        var ratio = baseline.TasksPerSecond > 0 ? rate / baseline.TasksPerSecond : double.NaN;
        Print(run, rows, perTask, baseline, rate, ratio, seconds, warmupSeconds, storage);
        ScenarioReport.Json(new
        {
            scenario = "e2e", cores = Environment.ProcessorCount, build = ScenarioReport.Build(), storage = storage.Provider, seconds, warmupSeconds, window,
            tasksPerSecond = Math.Round(rate, 1), accepted = run.Accepted, ended = run.Ended, succeeded = run.Succeeded, drained = run.Drained,
            journalRowsPerTask = Math.Round(perTask, 3), taskEventsPerTask = Math.Round((double)rows.TaskEvents / Math.Max(1, run.Ended), 3),
            tagRowsPerTask = Math.Round((double)rows.Tags / Math.Max(1, run.Ended), 3), baselineK = k, baselineTasks = baseline.Tasks,
            baselineTasksPerSecond = Math.Round(baseline.TasksPerSecond, 1), ratio = Math.Round(ratio, 3), peakRssMb = Math.Round(run.PeakRssBytes / ScenarioReport.MiB),
        });
        return run.Drained && run.Rejected == 0 && run.Succeeded == run.Ended && baseline.AllCompleted ? 0 : 1;
    }

    private static async Task<EndToEndRun> MeasureAsync(IOrchestrator orchestrator, int seconds, int warmupSeconds, int window, DateTimeOffset createdFrom)
    {
        using var slots = new SemaphoreSlim(window);
        await using var counter = CompletionCounter.Start(orchestrator, createdFrom, () => slots.Release());
        await using var rss = RssSampler.Start();
        var end = warmupSeconds + seconds;
        var progress = Task.Run(async () =>
        {
            for (var s = 15; s < end; s += 15)
            {
                var wait = TimeSpan.FromSeconds(s) - Stopwatch.GetElapsedTime(counter.StartTicks);
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                Console.WriteLine($"  {s,4} s: {counter.Ended:N0} ended, {counter.EndedBetween(s - 5, s) / 5.0:N0}/s over the last 5 s, {slots.CurrentCount:N0} of {window:N0} slots free (intake behind)");
            }
        });
        var feed = await ImageFeed.RunAsync(orchestrator, slots, total: null, stop: () => Stopwatch.GetElapsedTime(counter.StartTicks).TotalSeconds >= end);
        await progress;
        // What was accepted still ends (and is counted for rows per task), but outside the window.
        var drained = await counter.WaitForAsync(feed.Accepted, DrainTimeout, n => Console.WriteLine($"  draining: {n:N0} of {feed.Accepted:N0} ended"));
        await rss.StopAsync();
        return new EndToEndRun(feed.Accepted, feed.Rejected, counter.Ended, counter.Succeeded, counter.EndedBetween(warmupSeconds, end), counter.PerSecond(),
            drained, counter.FirstOther ?? feed.FirstRejection, rss.PeakBytes);
    }

    private static void Print(EndToEndRun run, JournalRows rows, double perTask, BaselineResult baseline, double rate, double ratio, int seconds,
        int warmupSeconds, StorageChoice storage)
    {
        Console.WriteLine();
        var label = $"end to end ({storage.Provider})";
        if (storage.IsSqlite) ScenarioReport.AtLeast(label, rate, TargetTasksPerSecond, "tasks/s");
        else ScenarioReport.NoTarget(label, $"{rate:N0} tasks/s");
        ScenarioReport.Figure("sustained window", $"seconds {warmupSeconds}–{warmupSeconds + seconds}: {run.EndedInWindow:N0} tasks ended");
        var tens = run.PerSecond.Skip(warmupSeconds).Take(seconds).Chunk(10).Select(c => (c.Sum() / (double)c.Length).ToString("N0"));
        ScenarioReport.Figure("per 10 s in the window", string.Join(", ", tens) + " tasks/s");
        ScenarioReport.Figure("all tasks", $"{run.Accepted:N0} accepted, {run.Rejected} rejected, {run.Ended:N0} ended, {run.Succeeded:N0} succeeded" +
            (run.Drained ? "" : "  <-- NOT ALL ENDED") + (run.FirstProblem is null ? "" : $"; first problem: {run.FirstProblem}"));
        ScenarioReport.Figure("journal rows per finished task", $"{perTask:0.000} (task events {(double)rows.TaskEvents / Math.Max(1, run.Ended):0.000}, " +
            $"batch events {(double)rows.BatchEvents / Math.Max(1, run.Ended):0.000}); tag rows {(double)rows.Tags / Math.Max(1, run.Ended):0.000}");
        ScenarioReport.Figure("peak RSS of the bench process", ScenarioReport.Mb(run.PeakRssBytes) + " (orchestrator and simulator together)");
        ScenarioReport.Figure("baseline (bare persistent actors)", $"{baseline.TasksPerSecond:N0} tasks/s, k = {baseline.EventsPerTask} events each, " +
            $"{baseline.Completed:N0} of {baseline.Tasks:N0} done in {baseline.Seconds:0.0} s");
        if (storage.IsSqlite) ScenarioReport.AtLeast("orchestrator / baseline", ratio, TargetRatio, "", "0.00");
        else ScenarioReport.NoTarget("orchestrator / baseline", $"{ratio:0.00}");
    }
}
