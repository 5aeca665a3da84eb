using System.Collections.Concurrent;
using Orchestrator.Tasks;

namespace Orchestrator.Timelines;

/// <summary>
/// What this node sees of its recent tasks that the journal does not hold: when each started submitting, each poll,
/// when it was reported processing, each provider callback. Polls cost no write (the journal's budget), so they are kept
/// here, in memory, for the last <see cref="MaxTasks"/> tasks seen, at most <see cref="MaxEntries"/> moments each: a
/// few megabytes, and a dictionary update per published view.
/// </summary>
internal sealed class TaskTimelines(int maxTasks = TaskTimelines.MaxTasks)
{
    public const int MaxTasks = 10_000;
    public const int MaxEntries = 200;

    private sealed class Track
    {
        public TaskLifecycle Status = TaskLifecycle.Accepted;
        public int Polls;
        public readonly List<TimelineEntry> Entries = [];
    }

    private readonly ConcurrentDictionary<string, Track> _tracks = new();
    private readonly ConcurrentQueue<string> _order = new();

    /// <summary>A task's actor published this view at <paramref name="now"/>: a status the journal does not hold becomes a moment.</summary>
    public void Observe(TaskView view, DateTimeOffset now)
    {
        var track = TrackOf(view.Id);
        lock (track)
        {
            if (view.Status != track.Status && view.Status is TaskLifecycle.Submitting or TaskLifecycle.Processing)
                Add(track, new TimelineEntry(now, view.Status.WireName()));
            track.Status = view.Status;
        }
    }

    /// <summary>The task asked its provider for its status (alone, or in a batch query), at <paramref name="now"/>.</summary>
    public void Polled(string taskId, DateTimeOffset now, bool lookup = false)
    {
        var track = TrackOf(taskId);
        lock (track)
        {
            if (lookup) { Add(track, new TimelineEntry(now, "lookup", "asked the provider by our id after a restart")); return; }
            track.Polls++;
            Add(track, new TimelineEntry(now, "poll", $"#{track.Polls}"));
        }
    }

    /// <summary>A provider's callback for the task arrived.</summary>
    public void Callback(string taskId, string? status, DateTimeOffset now)
    {
        var track = TrackOf(taskId);
        lock (track) Add(track, new TimelineEntry(now, "callback", status));
    }

    /// <summary>The moments seen of a task, oldest first, and how many of its polls they list; null when none were seen.</summary>
    public (IReadOnlyList<TimelineEntry> Entries, int Polls)? Find(string taskId)
    {
        if (!_tracks.TryGetValue(taskId, out var track)) return null;
        lock (track) return ([.. track.Entries], Math.Min(track.Polls, track.Entries.Count(e => e.Event == "poll")));
    }

    private Track TrackOf(string taskId)
    {
        if (_tracks.TryGetValue(taskId, out var track)) return track;
        var added = new Track();
        if (!_tracks.TryAdd(taskId, added)) return _tracks.TryGetValue(taskId, out track) ? track : added;
        _order.Enqueue(taskId);
        // The oldest task seen goes first: a timeline matters most while a task is recent. (A counter, not the
        // dictionary's Count, which takes every lock of the dictionary.)
        if (Interlocked.Increment(ref _count) > maxTasks && _order.TryDequeue(out var oldest) && _tracks.TryRemove(oldest, out _))
            Interlocked.Decrement(ref _count);
        return added;
    }

    private int _count;

    private static void Add(Track track, TimelineEntry entry)
    {
        if (track.Entries.Count < MaxEntries) track.Entries.Add(entry);
    }
}
