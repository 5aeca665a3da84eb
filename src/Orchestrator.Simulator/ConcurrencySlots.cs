namespace Orchestrator.Simulator;

/// <summary>
/// Slots an account's live tasks hold (Kling: from <c>submitted</c> until the task ends). Tasks end by the
/// clock, so ended ones are released lazily, earliest end first, whenever the count is needed. Not thread-safe:
/// the account serialises its creates.
/// </summary>
public sealed class ConcurrencySlots
{
    private readonly PriorityQueue<SimulatedTask, DateTimeOffset> _live = new();
    private int _held;

    public int HeldAt(DateTimeOffset now)
    {
        while (_live.TryPeek(out var task, out var endsAt) && endsAt <= now)
        {
            _live.Dequeue();
            _held -= task.Slots;
        }
        return _held;
    }

    public void Hold(SimulatedTask task)
    {
        _live.Enqueue(task, task.EndsAt);
        _held += task.Slots;
    }
}
