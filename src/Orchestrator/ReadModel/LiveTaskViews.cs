using System.Collections.Concurrent;
using Orchestrator.Tasks;

namespace Orchestrator.ReadModel;

/// <summary>
/// The views of the tasks whose actors run on this node, as fresh as the actors themselves: what the journal does not
/// hold (submitting, processing, polls so far, the next poll) and what the projector has not reached yet (a task
/// accepted a moment ago). An actor sets its view before it answers, so a GET right after a 202 finds the task; when it
/// stops its entry stays until the projector has written everything it journaled, then goes: ended and passivated
/// tasks cost nothing here. A task asleep through a long wait leaves only its polling progress (status, polls, next
/// poll: a few dozen bytes) to lay over its row, until it wakes or ends.
/// </summary>
internal sealed class LiveTaskViews(ProjectionProgress? progress = null)
{
    private sealed record Entry(TaskView View, long TaskSeq, bool Stopped);

    /// <summary>What the row of a sleeping task does not show: the progress of its polling.</summary>
    private sealed record Progress(TaskLifecycle Status, int Polls, DateTimeOffset? NextPollAt);

    private readonly ConcurrentDictionary<string, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, Progress> _asleep = new();
    private readonly ConcurrentQueue<string> _stopped = new();

    public int Count => _entries.Count;

    /// <summary>Tasks asleep through a wait whose progress is kept here.</summary>
    public int AsleepCount => _asleep.Count;

    public TaskView? Find(string taskId) => _entries.TryGetValue(taskId, out var e) ? e.View : null;

    /// <summary>A stored row as readers should see it: the running actor's view, or the row with a sleeping task's progress.</summary>
    public TaskView Overlay(TaskView stored)
    {
        if (Find(stored.Id) is { } running) return running;
        if (stored.Status.IsTerminal() || !_asleep.TryGetValue(stored.Id, out var p)) return stored;
        return stored with { Status = p.Status, Polls = p.Polls, NextPollAt = p.NextPollAt };
    }

    /// <summary>A running actor's view after its journal write number <paramref name="taskSeq"/>.</summary>
    public void Set(TaskView view, long taskSeq)
    {
        _entries[view.Id] = new Entry(view, taskSeq, Stopped: false);
        _asleep.TryRemove(view.Id, out _);
        // An actor publishes a view only after the journal holds what it shows: an end is durable already.
        if (view.Status.IsTerminal()) progress?.Ended(view);
    }

    /// <summary>The actor stopped having written <paramref name="taskSeq"/> events: its entry goes once those are projected.</summary>
    public void Stopped(string taskId, long taskSeq)
    {
        if (!_entries.TryGetValue(taskId, out var e)) return;
        if (taskSeq == 0) { _entries.TryRemove(new KeyValuePair<string, Entry>(taskId, e)); return; }
        var stopped = e with { TaskSeq = Math.Max(e.TaskSeq, taskSeq), Stopped = true };
        if (_entries.TryUpdate(taskId, stopped, e)) _stopped.Enqueue(taskId);
    }

    /// <summary>The actor passivated through a wait: like <see cref="Stopped"/>, and its polling progress stays for readers.</summary>
    public void Asleep(string taskId, long taskSeq)
    {
        if (Find(taskId) is not { } view) return;
        _asleep[taskId] = new Progress(view.Status, view.Polls, view.NextPollAt);
        Stopped(taskId, taskSeq);
    }

    /// <summary>Stopped entries waiting for the projector, drained for it to check (those not yet projected are handed back with <see cref="StillWaiting"/>).</summary>
    public List<(string TaskId, long TaskSeq)> DrainStopped()
    {
        var list = new List<(string, long)>();
        while (_stopped.TryDequeue(out var id))
            if (_entries.TryGetValue(id, out var e) && e.Stopped) list.Add((id, e.TaskSeq));
        return list;
    }

    public void StillWaiting(string taskId) => _stopped.Enqueue(taskId);

    /// <summary>Retention removed the task: readers must not see it any more, from here either.</summary>
    public void Purged(string taskId)
    {
        _entries.TryRemove(taskId, out _);
        _asleep.TryRemove(taskId, out _);
    }

    /// <summary>The projector has written task <paramref name="taskId"/> up to <paramref name="projectedSeq"/>: a stopped entry it covers goes.</summary>
    public bool Projected(string taskId, long projectedSeq)
    {
        if (!_entries.TryGetValue(taskId, out var e) || !e.Stopped || e.TaskSeq > projectedSeq) return false;
        // Only that entry: a new incarnation may have set a fresh one meanwhile.
        return _entries.TryRemove(new KeyValuePair<string, Entry>(taskId, e));
    }
}
