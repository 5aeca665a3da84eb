using System.Text.Json;

namespace Orchestrator.Bench;

/// <summary>The batch scenario's table, with issue 9's targets beside the figures, then one <c>BENCH_JSON</c> line.</summary>
public static class BatchReport
{
    public const double TargetLinesPerSecond = 10_000;
    public const double TargetWaitRssMb = 300;
    private const double MiB = 1024 * 1024;

    public static void Print(int lines, BatchAcceptResult accept, BatchWaitResult wait, BatchCompleteResult complete)
    {
        Console.WriteLine();
        Console.WriteLine("== Batch benchmark (issue 9) ==");
        Line("machine cores / load average", $"{Environment.ProcessorCount} / {LoadAverage()}");
        Console.WriteLine("  -- 1. accept (durable: 202 after every chunk is journaled and the batch sealed)");
        PrintAccept(accept);
        Console.WriteLine($"  -- 2. waiting on a {wait.Qps} QPS account (simulator limited to the same), {wait.Seconds} s after the 202");
        Line("peak RSS while waiting", $"{wait.PeakRssBytes / MiB:N0} MB  (target <= {TargetWaitRssMb} MB: {Verdict(wait.PeakRssBytes / MiB <= TargetWaitRssMb)})");
        Line("  of which anonymous (peak)", $"{wait.PeakAnonBytes / MiB:N0} MB (the rest: mapped files, i.e. runtime and assemblies)");
        Line("  GC committed (peak)", $"{wait.PeakGcCommittedBytes / MiB:N0} MB");
        Line("managed heap: peak / live", $"{wait.PeakManagedBytes / MiB:N0} MB / {wait.LiveManagedBytes / MiB:N0} MB (after a full GC)");
        Line("queued last line GET status", wait.QueuedTaskStatus ?? "n/a");
        Line("tasks started / ended by then", $"{wait.StartedAtEnd:N0} / {wait.EndedAtEnd:N0}");
        Line("provider calls", $"{wait.ProviderCallsPerSecond:0.0}/s, {wait.RateLimitAnswers} rate-limit answers");
        Console.WriteLine($"  -- 3. all complete against a zero-latency simulator, account at {complete.Qps} QPS, {complete.Lines:N0} lines");
        PrintAccept(complete.Accept);
        Line("all ended", complete.Finished
            ? $"{complete.SecondsFromFirstByte:0.0} s from the first byte ({complete.SecondsAfterAck:0.0} s after the 202)"
            : $"NOT within the time limit: {complete.Ended:N0} of {complete.Accept.Accepted:N0} in {complete.SecondsAfterAck:0.0} s after the 202; " +
              $"EXTRAPOLATED for {lines:N0} lines at that rate: {complete.ProjectedSeconds(lines):0} s");
        if (complete.Finished && complete.Lines < lines)
            Line("EXTRAPOLATED to " + lines.ToString("N0"), $"{complete.ProjectedSeconds(lines):0} s at the same rates");
        Line("tasks/s after the 202", $"{complete.TasksPerSecond:N0}  ({complete.Succeeded:N0} succeeded)");
        Line("journal writes (task events)", $"{complete.JournalWrites:N0}  ({(double)complete.JournalWrites / Math.Max(1, complete.Ended):0.00} per task)");
        Line("peak RSS / managed (run)", $"{complete.PeakRssBytes / MiB:N0} MB / {complete.PeakManagedBytes / MiB:N0} MB " +
            $"(anonymous peak {complete.PeakAnonBytes / MiB:N0} MB, GC committed peak {complete.PeakGcCommittedBytes / MiB:N0} MB)");
        Line("live managed after all ended", $"{complete.LiveManagedBytes / MiB:N0} MB ({(double)complete.LiveManagedBytes / Math.Max(1, complete.Ended) / 1024:0.0} KB per ended task, after a full GC)");
        Line("simulator", $"{complete.Simulator.Submits:N0} submits, {complete.Simulator.Polls:N0} polls, {complete.Simulator.RateLimitAnswers} rate-limit answers");

        var json = new
        {
            cores = Environment.ProcessorCount,
            lines,
            acceptSeconds = Round(accept.Seconds, 3),
            acceptLinesPerSec = Round(accept.LinesPerSecond),
            acceptBatchEvents = accept.BatchEvents,
            acceptBatchEventMb = Round(accept.BatchEventBytes / MiB, 2),
            acceptTaskEvents = accept.TaskEventsAtAck,
            acceptStarted = accept.StartedAtAck,
            acceptPeakRssMb = Round(accept.PeakRssBytes / MiB),
            waitQps = wait.Qps,
            waitSeconds = wait.Seconds,
            waitPeakRssMb = Round(wait.PeakRssBytes / MiB),
            waitPeakAnonMb = Round(wait.PeakAnonBytes / MiB),
            waitPeakGcCommittedMb = Round(wait.PeakGcCommittedBytes / MiB),
            waitPeakManagedMb = Round(wait.PeakManagedBytes / MiB),
            waitLiveManagedMb = Round(wait.LiveManagedBytes / MiB),
            queuedTaskStatus = wait.QueuedTaskStatus,
            completeLines = complete.Lines,
            completeQps = complete.Qps,
            completeAcceptLinesPerSec = Round(complete.Accept.LinesPerSecond),
            completeFinished = complete.Finished,
            completeSecondsFromFirstByte = Round(complete.SecondsFromFirstByte, 1),
            completeSecondsAfterAck = Round(complete.SecondsAfterAck, 1),
            completeTasksPerSec = Round(complete.TasksPerSecond),
            completeSucceeded = complete.Succeeded,
            completeWritesPerTask = Round((double)complete.JournalWrites / Math.Max(1, complete.Ended), 2),
            completePeakRssMb = Round(complete.PeakRssBytes / MiB),
            completeLiveManagedMb = Round(complete.LiveManagedBytes / MiB),
            completePeakAnonMb = Round(complete.PeakAnonBytes / MiB),
            completePeakGcCommittedMb = Round(complete.PeakGcCommittedBytes / MiB),
            projectedSecondsForLines = complete.Finished && complete.Lines >= lines ? (double?)null : Round(complete.ProjectedSeconds(lines)),
        };
        Console.WriteLine();
        Console.WriteLine("BENCH_JSON " + JsonSerializer.Serialize(json));
    }

    private static void PrintAccept(BatchAcceptResult a)
    {
        Line("accept rate", $"{a.LinesPerSecond:N0} lines/s  ({a.Accepted:N0} accepted, {a.Rejected} rejected, {a.Seconds:0.00} s, " +
            $"{a.BodyBytes / MiB:0.0} MB body; target >= {TargetLinesPerSecond:N0}: {Verdict(a.LinesPerSecond >= TargetLinesPerSecond)})");
        Line("journal rows at the 202", $"{a.BatchEvents} batch events ({a.BatchEventBytes / MiB:0.0} MB), {a.TaskEventsAtAck} task events " +
            $"({a.TaskWritesAtAck} task writes counted during the upload)");
        Line("tasks started at the 202", $"{a.StartedAtAck}  (total - counts.accepted, read right after)");
        Line("RSS before / peak in upload", $"{a.RssBeforeBytes / MiB:N0} MB / {a.PeakRssBytes / MiB:N0} MB (managed peak {a.PeakManagedBytes / MiB:N0} MB)");
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static void Line(string label, string value) => Console.WriteLine($"  {label,-30} {value}");

    private static double? Round(double? v, int digits = 1) => v is { } x ? Math.Round(x, digits) : null;

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
