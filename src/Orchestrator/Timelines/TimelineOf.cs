using Orchestrator.Tasks;

namespace Orchestrator.Timelines;

/// <summary>
/// A task's timeline from its view (acceptance, submission and the end: journaled, always known) and what this node saw
/// of it (<see cref="TaskTimelines"/>). Pure.
/// </summary>
internal static class TimelineOf
{
    public static TaskTimeline Build(TaskView view, (IReadOnlyList<TimelineEntry> Entries, int Polls)? seen)
    {
        var entries = new List<TimelineEntry> { new(view.CreatedAt, "accepted") };
        if (view.SubmittedAt is { } submitted)
            entries.Add(new TimelineEntry(submitted, "submitted", view.ProviderTaskId is { } p ? $"provider task {p}" : null));
        if (seen is { } s) entries.AddRange(s.Entries);
        if (view.Status.IsTerminal() && view.CompletedAt is { } ended)
            entries.Add(new TimelineEntry(ended, view.Status.WireName(), view.Error is { } e ? $"{e.Code}: {e.Message}" : null));
        // Stable: at equal times, journaled moments keep their place before what was seen (the end stays last).
        var ordered = entries.Select((e, i) => (e, i)).OrderBy(x => x.e.At).ThenBy(x => x.e.Event is "accepted" ? -1 : IsEnd(x.e) ? int.MaxValue : x.i)
            .Select(x => x.e).ToList();
        return new TaskTimeline(view.Id, ordered, Math.Max(0, view.Polls - (seen?.Polls ?? 0)));
    }

    private static bool IsEnd(TimelineEntry e) => e.Event is "succeeded" or "failed" or "timed_out" or "cancelled";
}
