namespace Orchestrator.Throttling;

/// <summary>
/// Who gets the next permit (pure, no timing). Polls go first because they end tasks, but after
/// <see cref="PollsPerSubmit"/> polls in a row a waiting submit is served, so submits are never starved.
/// </summary>
public sealed class PermitQueue
{
    private readonly Queue<Waiter> _polls = new();
    private readonly Queue<Waiter> _submits = new();
    private int _pollsInARow;

    public const int PollsPerSubmit = 3;

    public sealed record Waiter(RequestPermit Request, object ReplyTo, long EnqueuedAtTicks);

    public int QueuedPolls => _polls.Count;
    public int QueuedSubmits => _submits.Count;
    public int Count => _polls.Count + _submits.Count;

    public void Enqueue(Waiter w) => (w.Request.Kind == CallKind.Poll ? _polls : _submits).Enqueue(w);

    public Waiter? Next()
    {
        var takeSubmit = _submits.Count > 0 && (_polls.Count == 0 || _pollsInARow >= PollsPerSubmit);
        if (takeSubmit)
        {
            _pollsInARow = 0;
            return _submits.Dequeue();
        }
        if (_polls.Count == 0) return null;
        _pollsInARow++;
        return _polls.Dequeue();
    }

    public long? OldestEnqueuedTicks()
    {
        long? oldest = null;
        if (_polls.TryPeek(out var p)) oldest = p.EnqueuedAtTicks;
        if (_submits.TryPeek(out var s) && (oldest is null || s.EnqueuedAtTicks < oldest)) oldest = s.EnqueuedAtTicks;
        return oldest;
    }
}
