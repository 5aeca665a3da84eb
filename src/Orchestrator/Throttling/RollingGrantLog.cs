namespace Orchestrator.Throttling;

/// <summary>
/// The hard ceiling behind the token bucket: at most <c>capacity</c> calls counted in any rolling <c>window</c>,
/// counted as the provider counts them, on arrival. A call's arrival is only known to lie between its grant and
/// its completion, so a call in flight counts as arriving now, and once it completes it counts at its completion
/// (less <c>serverTime</c>, the least time the provider is known to spend answering; 0 unless configured). A call
/// delayed on our side or at the provider (a cold start, a GC pause) therefore holds back the calls after it
/// instead of crowding into one provider second with them. The price: a call occupies the log for its round
/// trip plus the window, so long round trips lower the rate unless <c>serverTime</c> is set. Pure: the caller
/// passes the time.
/// </summary>
internal sealed class RollingGrantLog(int capacity, TimeSpan window, TimeSpan maxCallDuration, TimeSpan serverTime = default)
{
    private readonly Dictionary<long, (TimeSpan At, object? Owner)> _inFlight = new();
    private readonly SortedSet<(TimeSpan At, long Id)> _done = new();
    private TimeSpan _window = window;

    public int Capacity { get; private set; } = capacity;

    /// <summary>The adaptive rate changed: calls already counted keep counting.</summary>
    public void Resize(int newCapacity, TimeSpan newWindow)
    {
        Capacity = newCapacity;
        _window = newWindow;
    }
    public int InFlight => _inFlight.Count;

    /// <summary>How long until one more call fits, or null if it fits now.</summary>
    public TimeSpan? WaitBeforeNext(TimeSpan now)
    {
        foreach (var (id, granted) in _inFlight.Where(kv => now - kv.Value.At > maxCallDuration).ToList())
            Complete(id, granted.At + maxCallDuration); // its answer was lost: the call cannot outlive its timeout
        while (_done.Count > 0 && now - _done.Min.At >= _window) _done.Remove(_done.Min);
        if (_done.Count + _inFlight.Count < Capacity) return null;
        var untilOldestLeaves = _done.Count > 0 ? _window - (now - _done.Min.At) : TimeSpan.MaxValue;
        var untilTimeout = _inFlight.Count > 0 ? _inFlight.Values.Min(v => v.At) + maxCallDuration - now : TimeSpan.MaxValue;
        return TimeSpan.FromTicks(Math.Max(1, Math.Min(untilOldestLeaves.Ticks, untilTimeout.Ticks)));
    }

    /// <summary>A permit went out: its call counts as arriving from now until it completes.</summary>
    /// <param name="id">The permit.</param>
    /// <param name="now">The throttle's time.</param>
    /// <param name="owner">Who makes the call (its requester's node), for <see cref="CompleteAllOf"/>.</param>
    public void Granted(long id, TimeSpan now, object? owner = null) => _inFlight[id] = (now, owner);

    public void Complete(long id, TimeSpan now)
    {
        if (!_inFlight.Remove(id, out var granted)) return;
        var latestArrival = now - serverTime;
        _done.Add((latestArrival > granted.At ? latestArrival : granted.At, id));
    }

    /// <summary>The permit was never spent: no call arrived, so it leaves the log without counting.</summary>
    public void Withdraw(long id) => _inFlight.Remove(id);

    /// <summary>
    /// The owner is gone (a node removed from the cluster): its calls were made, if ever, before it died, so each counts
    /// as arriving now rather than holding the window until its timeout. Returns how many there were.
    /// </summary>
    public int CompleteAllOf(object owner, TimeSpan now)
    {
        var theirs = _inFlight.Where(kv => Equals(kv.Value.Owner, owner)).Select(kv => kv.Key).ToList();
        foreach (var id in theirs) Complete(id, now);
        return theirs.Count;
    }
}
