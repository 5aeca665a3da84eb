using System.Globalization;
using Orchestrator.Batches;
using Orchestrator.Tasks;

namespace Orchestrator.Cli.Display;

/// <summary>Batch answers and progress as plain text (the live display's fallback and the summary lines).</summary>
public static class BatchText
{
    public static IEnumerable<string> Acceptance(BatchAcceptance a)
    {
        yield return a.BatchId is { } id
            ? $"batch {id}: {a.Accepted} accepted, {a.RejectedTotal} rejected"
            : $"batch refused: nothing accepted, {a.RejectedTotal} line(s) rejected";
        foreach (var line in a.Rejected)
            foreach (var e in line.Errors)
                yield return $"  line {line.Line}: {e.Field}: {e.Message}";
        if (a.RejectedTotal > a.Rejected.Count) yield return $"  … and {a.RejectedTotal - a.Rejected.Count} more rejected line(s) not listed";
    }

    /// <summary>"succeeded 400 failed 12 … · in flight: accepted 500 …": every status's count.</summary>
    public static string Counts(BatchView p)
    {
        var ended = string.Join(" ", Views.AllStatuses.Where(s => s.IsTerminal()).Select(s => $"{s.WireName()} {p.Count(s)}"));
        var running = string.Join(" ", Views.AllStatuses.Where(s => !s.IsTerminal()).Select(s => $"{s.WireName()} {p.Count(s)}"));
        return $"{ended} · in flight: {running}";
    }

    /// <summary>"batch X: 412/1000 ended (41%) · succeeded 400 failed 12 … · in flight: … · 45.6/s · ETA 13s".</summary>
    public static string ProgressLine(BatchView p) =>
        $"batch {p.BatchId}: {p.Ended}/{p.Total} ended ({Percent(p)}) · {Counts(p)} · {Rate(p)} · ETA {Eta(p)}" + (p.Cancelled ? " · cancelled" : "");

    public static string Percent(BatchView p) =>
        (p.Total == 0 ? 100 : 100.0 * p.Ended / p.Total).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Rate(BatchView p) => p.ThroughputPerSecond.ToString("0.0", CultureInfo.InvariantCulture) + "/s";

    /// <summary>The server's ETA (every task left, queued ones included, at the rate they have been ending); "unknown" until it can tell.</summary>
    public static string Eta(BatchView p) =>
        p.HasEnded ? "done" : p.EtaSeconds is { } eta ? TaskText.Duration(eta) : "unknown";

    public static string Summary(BatchView p) =>
        $"batch {p.BatchId} ended: {p.Count(TaskLifecycle.Succeeded)} succeeded, {p.Count(TaskLifecycle.Failed)} failed, " +
        $"{p.Count(TaskLifecycle.TimedOut)} timed out, {p.Count(TaskLifecycle.Cancelled)} cancelled, {p.Rejected} rejected";

    public static string Retry(BatchRetryAcceptance r) =>
        $"{r.Retried} failed task(s) of batch {r.RetryOf} retried as batch {r.BatchId}" +
        (r.Rejected.Count > 0 ? $" ({r.Rejected.Count} line(s) refused now: {string.Join(", ", r.Rejected.Select(x => x.Line))})" : "");

    public static string Cancellation(BatchCancellation c) =>
        $"batch {c.BatchId}: {c.QueuedCancelled} queued task(s) cancelled, {c.StartedCancelled} started task(s) asked to cancel" +
        (c.AlreadyCancelled ? " (it had been cancelled before)" : "");

    /// <summary>
    /// "[##########..........] 50%": the share of tasks that ended, readable without colour (where a coloured bar
    /// split by status would look full at 0%).
    /// </summary>
    public static string Bar(BatchView p, int width)
    {
        var filled = p.Total == 0 ? width : (int)Math.Floor((double)width * Math.Min(p.Ended, p.Total) / p.Total);
        return $"[{new string('#', filled)}{new string('.', width - filled)}] {Percent(p)}";
    }
}
