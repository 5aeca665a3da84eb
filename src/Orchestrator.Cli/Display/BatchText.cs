using System.Globalization;
using Orchestrator.Cli.Wire;

namespace Orchestrator.Cli.Display;

/// <summary>Batch answers and progress as plain text (the live display's fallback and the summary lines).</summary>
public static class BatchText
{
    public static IEnumerable<string> Acceptance(BatchAcceptance a)
    {
        yield return a.BatchId is { } id
            ? $"batch {id}: {a.Accepted} accepted, {a.Rejected.Count} rejected"
            : $"batch refused: nothing accepted, {a.Rejected.Count} line(s) rejected";
        foreach (var line in a.Rejected)
            foreach (var e in line.Errors)
                yield return $"  line {line.Line}: {e.Field}: {e.Message}";
    }

    /// <summary>"batch X: 412/1000 ended (41%) · succeeded 400 failed 12 … · in flight: … · 45.6/s · ETA 13s".</summary>
    public static string ProgressLine(BatchProgress p)
    {
        var ended = string.Join(" ", TaskStatuses.Terminal.Select(s => $"{s} {p.Count(s)}"));
        var running = string.Join(" ", TaskStatuses.All.Where(s => !TaskStatuses.IsTerminal(s)).Select(s => $"{s} {p.Count(s)}"));
        return $"batch {p.BatchId}: {p.Ended}/{p.Total} ended ({Percent(p)}) · {ended} · in flight: {running} · {Rate(p)} · ETA {Eta(p)}"
               + (p.Cancelled ? " · cancelled" : "");
    }

    public static string Percent(BatchProgress p) =>
        (p.Total == 0 ? 100 : 100.0 * p.Ended / p.Total).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Rate(BatchProgress p) => p.ThroughputPerSecond.ToString("0.0", CultureInfo.InvariantCulture) + "/s";

    /// <summary>
    /// The server's ETA counts only the submits still waiting for their account's rate, so it reads 0 while the last
    /// tasks run; the rate at which tasks have been ending bounds it from the other side. The larger of the two.
    /// </summary>
    public static string Eta(BatchProgress p)
    {
        if (p.HasEnded) return "done";
        var byEndings = p.ThroughputPerSecond > 0 ? (p.Total - p.Ended) / p.ThroughputPerSecond : (double?)null;
        var eta = Math.Max(p.EtaSeconds ?? 0, byEndings ?? 0);
        return p.EtaSeconds is null && byEndings is null ? "—" : TaskText.Duration(eta);
    }

    public static string Summary(BatchProgress p) =>
        $"batch {p.BatchId} ended: {p.Count(TaskStatuses.Succeeded)} succeeded, {p.Count(TaskStatuses.Failed)} failed, " +
        $"{p.Count(TaskStatuses.TimedOut)} timed out, {p.Count(TaskStatuses.Cancelled)} cancelled, {p.Rejected} rejected";
}
