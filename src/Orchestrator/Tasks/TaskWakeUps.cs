using Orchestrator.Tasks.Lifecycle;

namespace Orchestrator.Tasks;

/// <summary>
/// The tasks asleep in a supervisor, by when each wakes: their state (the request they hold anyway) and where their
/// polling was, where an actor costs kilobytes more. Pure (no Akka, no clock): the supervisor passes the time.
/// </summary>
internal sealed class TaskWakeUps
{
    /// <param name="Resume">When to wake it and its polling progress.</param>
    /// <param name="SequenceNr">Its last journaled event: the next incarnation continues from it without asking the journal.</param>
    /// <param name="State">Its state as its journal folds it: the next incarnation replays nothing.</param>
    public sealed record Sleeping(TaskResume Resume, long SequenceNr, TaskState State);

    private readonly Dictionary<string, Sleeping> _byId = new();
    // Entries of tasks woken early stay in the queue until due, and are skipped then.
    private readonly PriorityQueue<string, DateTimeOffset> _queue = new();

    public int Count => _byId.Count;

    public bool Contains(string taskId) => _byId.ContainsKey(taskId);

    public DateTimeOffset? Earliest
    {
        get
        {
            while (_queue.TryPeek(out var id, out var at))
            {
                if (_byId.TryGetValue(id, out var s) && s.Resume.WakeAt == at) return at;
                _queue.Dequeue();
            }
            return null;
        }
    }

    public void Add(string taskId, TaskResume resume, long sequenceNr, TaskState state)
    {
        _byId[taskId] = new Sleeping(resume, sequenceNr, state);
        _queue.Enqueue(taskId, resume.WakeAt);
    }

    /// <summary>Removes and returns a sleeping task (woken by a message, or due).</summary>
    public Sleeping? Take(string taskId) => _byId.Remove(taskId, out var s) ? s : null;

    /// <summary>The ids due at <paramref name="now"/>, earliest first, at most <paramref name="max"/>; they stay until <see cref="Take"/>n.</summary>
    public List<string> Due(DateTimeOffset now, int max)
    {
        var due = new List<string>();
        while (due.Count < max && Earliest is { } at && at <= now) due.Add(_queue.Dequeue());
        return due;
    }
}
