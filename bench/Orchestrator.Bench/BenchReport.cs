using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Bench;

/// <summary>
/// Prints the figures twice: a table for people, then one JSON line (prefixed <c>BENCH_JSON </c>) so that
/// scripts and CI can pick the run out of the console output with a single grep.
/// </summary>
public static class BenchReport
{
    private const double MiB = 1024 * 1024;

    public static void Print(int tasks, int inFlight, ThroughputResult? run, BaselineResult? baseline)
    {
        var ratio = run is not null && baseline is { TasksPerSecond: > 0 } ? run.TasksPerSecond / baseline.TasksPerSecond : (double?)null;
        var processPeak = RssSampler.ProcessPeakBytes();

        Console.WriteLine();
        Console.WriteLine("== Orchestrator throughput benchmark ==");
        Line("machine cores", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
        Line("tasks (N) / in flight", $"{tasks} / {inFlight}");
        if (run is not null) PrintRun(tasks, run);
        Line("peak working set (process)", $"{processPeak / MiB:N0} MB");
        if (baseline is not null)
        {
            Line("baseline (bare actors)", $"{baseline.TasksPerSecond:N0} tasks/s, {baseline.EventsPerSecond:N0} events/s " +
                $"(k = {baseline.EventsPerTask}, {baseline.Seconds:0.00} s, {baseline.Completed} of {baseline.Tasks} done)");
            Line("peak RSS (sampled, baseline)", $"{baseline.PeakRssBytes / MiB:N0} MB");
        }
        if (ratio is { } r) Line("orchestrator / baseline", $"{r:0.00}");

        // Nulls stay in the line (as null) so that every run has the same keys.
        var json = new
        {
            cores = Environment.ProcessorCount,
            tasks,
            inFlight,
            succeeded = run?.Succeeded,
            allSucceeded = run?.AllSucceeded,
            acceptPerSec = Round(run?.AcceptPerSecond),
            orchestratorTasksPerSec = Round(run?.TasksPerSecond),
            acceptSeconds = Round(run?.AcceptSeconds, 3),
            endToEndSeconds = Round(run?.EndToEndSeconds, 3),
            journalWrites = run?.JournalWrites,
            writesPerTask = Round(run?.WritesPerTask, 3),
            journalEventsPerSec = Round(run?.JournalEventsPerSecond),
            peakRssMb = Round(run?.PeakRssBytes / MiB),
            processPeakWorkingSetMb = Round(processPeak / MiB),
            simulatorSubmits = run?.Simulator.Submits,
            simulatorPolls = run?.Simulator.Polls,
            duplicateExternalIds = run?.Simulator.DuplicateExternalIds,
            baselineK = baseline?.EventsPerTask,
            baselineTasksPerSec = Round(baseline?.TasksPerSecond),
            baselineEventsPerSec = Round(baseline?.EventsPerSecond),
            baselineSeconds = Round(baseline?.Seconds, 3),
            baselinePeakRssMb = Round(baseline?.PeakRssBytes / MiB),
            ratio = Round(ratio, 3),
        };
        Console.WriteLine();
        Console.WriteLine("BENCH_JSON " + JsonSerializer.Serialize(json));
    }

    private static void PrintRun(int tasks, ThroughputResult run)
    {
        var sim = run.Simulator;
        Line("succeeded", $"{run.Succeeded} of {tasks}" + (run.AllSucceeded ? "" : "  <-- NOT ALL"));
        foreach (var (outcome, count) in run.OtherOutcomes) Line("  " + outcome, count.ToString(CultureInfo.InvariantCulture));
        if (run.FirstProblem is not null) Line("  first problem", run.FirstProblem);
        Line("accept rate", $"{run.AcceptPerSecond:N0} tasks/s  ({run.AcceptSeconds:0.00} s to accept all)");
        Line("orchestrator end to end", $"{run.TasksPerSecond:N0} tasks/s  ({run.EndToEndSeconds:0.00} s to finish all)");
        Line("journal writes", $"{run.JournalWrites:N0}  ({run.WritesPerTask:0.00} per task, {run.JournalEventsPerSecond:N0} events/s)");
        Line("peak RSS (sampled, run)", $"{run.PeakRssBytes / MiB:N0} MB");
        Line("simulator", $"{sim.Submits:N0} submits, {sim.Polls:N0} polls ({(double)sim.Polls / Math.Max(1, tasks):0.00}/task), " +
            $"{sim.DuplicateExternalIds} duplicate external ids, {sim.RateLimitAnswers} rate-limit answers, peak {sim.PeakRequestsPerSecond} req/s");
    }

    private static void Line(string label, string value) => Console.WriteLine($"  {label,-30} {value}");

    private static double? Round(double? v, int digits = 1) => v is { } x ? Math.Round(x, digits) : null;
}
