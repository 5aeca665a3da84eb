using Orchestrator.Tasks;

namespace Orchestrator.ReadModel;

/// <summary>
/// How far the task projector has written, for readers that must not run ahead of it: reads wait until it has caught
/// up at start, the completion stream waits for an event's offset, and a caller waiting for a task's end is woken when
/// the end is written. Shared by the projector (which advances it) and readers on any thread.
/// </summary>
internal sealed class ProjectionProgress
{
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private readonly SortedDictionary<long, TaskCompletionSource> _offsetWaiters = new();
    private readonly Dictionary<string, (TaskCompletionSource<TaskView> Ended, int Waiting)> _endWaiters = new();
    private long _offset;

    /// <summary>The journal offset of the "task" tag written so far.</summary>
    public long Offset => Interlocked.Read(ref _offset);

    /// <summary>Completes once the projector has read the journal to its end at start-up.</summary>
    public Task CaughtUp => _caughtUp.Task;

    public void MarkCaughtUp() => _caughtUp.TrySetResult();

    public void Advance(long offset, IEnumerable<TaskView> ended)
    {
        List<TaskCompletionSource> due = [];
        List<(TaskCompletionSource<TaskView>, TaskView)> endedDue = [];
        lock (_gate)
        {
            if (offset > _offset) Interlocked.Exchange(ref _offset, offset);
            while (_offsetWaiters.Count > 0 && _offsetWaiters.First() is var first && first.Key <= _offset)
            {
                due.Add(first.Value);
                _offsetWaiters.Remove(first.Key);
            }
            foreach (var view in ended)
                if (_endWaiters.Remove(view.Id, out var w)) endedDue.Add((w.Ended, view));
        }
        foreach (var t in due) t.TrySetResult();
        foreach (var (t, view) in endedDue) t.TrySetResult(view);
    }

    /// <summary>
    /// A task's end is durable (its actor shows it only once the journal holds it): whoever waits for it is answered now,
    /// without waiting for the projector to read it back.
    /// </summary>
    public void Ended(TaskView view)
    {
        TaskCompletionSource<TaskView>? waiting = null;
        lock (_gate)
            if (_endWaiters.Remove(view.Id, out var w)) waiting = w.Ended;
        waiting?.TrySetResult(view);
    }

    /// <summary>Completes once everything up to <paramref name="offset"/> is in the read model.</summary>
    public Task WhenAtLeastAsync(long offset)
    {
        lock (_gate)
        {
            if (offset <= _offset) return Task.CompletedTask;
            if (!_offsetWaiters.TryGetValue(offset, out var t)) _offsetWaiters[offset] = t = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return t.Task;
        }
    }

    /// <summary>
    /// A handle that completes with the task's view when its end is written. Register before reading the row, so an end
    /// written in between is not missed; call <see cref="Forget"/> when done waiting.
    /// </summary>
    public Task<TaskView> WhenEnded(string taskId)
    {
        lock (_gate)
        {
            var w = _endWaiters.TryGetValue(taskId, out var existing) ? existing : (new(TaskCreationOptions.RunContinuationsAsynchronously), 0);
            _endWaiters[taskId] = (w.Ended, w.Waiting + 1);
            return w.Ended.Task;
        }
    }

    public void Forget(string taskId)
    {
        lock (_gate)
        {
            if (!_endWaiters.TryGetValue(taskId, out var w)) return;
            if (w.Waiting <= 1) _endWaiters.Remove(taskId);
            else _endWaiters[taskId] = (w.Ended, w.Waiting - 1);
        }
    }
}
