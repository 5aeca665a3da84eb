using System.Diagnostics;

namespace Orchestrator.Simulator;

/// <summary>
/// Counts events in a true rolling one-second window (every arrival's own trailing second, not fixed buckets),
/// the way a provider measures a QPS limit.
/// </summary>
public sealed class RollingWindow
{
    private readonly Queue<long> _arrivals = new();
    private readonly long _window = Stopwatch.Frequency;
    public int Peak { get; private set; }

    /// <summary>Records an arrival now and returns how many arrivals (itself included) fall in its trailing second.</summary>
    public int Record(long timestamp)
    {
        while (_arrivals.Count > 0 && timestamp - _arrivals.Peek() >= _window) _arrivals.Dequeue();
        _arrivals.Enqueue(timestamp);
        Peak = Math.Max(Peak, _arrivals.Count);
        return _arrivals.Count;
    }

    /// <summary>How many arrivals fall in the trailing second before <paramref name="timestamp"/>, without recording.</summary>
    public int CountBefore(long timestamp)
    {
        while (_arrivals.Count > 0 && timestamp - _arrivals.Peek() >= _window) _arrivals.Dequeue();
        return _arrivals.Count;
    }
}
