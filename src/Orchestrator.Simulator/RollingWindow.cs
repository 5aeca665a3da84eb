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
    private long _first = -1;
    public int Peak { get; private set; }

    /// <summary>When the peak was reached, in seconds after the first arrival (where a burst happened).</summary>
    public double PeakAtSeconds { get; private set; }

    private readonly List<int> _perSecond = [];

    /// <summary>When the first arrival was recorded (a <see cref="Stopwatch"/> timestamp; -1 before any): where <see cref="PerSecond"/> counts from.</summary>
    public long FirstTimestamp => _first;

    /// <summary>Arrivals in each whole second since the first, for achieved-rate figures over longer windows.</summary>
    public IReadOnlyList<int> PerSecond => _perSecond.ToArray();

    /// <summary>Records an arrival now and returns how many arrivals (itself included) fall in its trailing second.</summary>
    public int Record(long timestamp)
    {
        while (_arrivals.Count > 0 && timestamp - _arrivals.Peek() >= _window) _arrivals.Dequeue();
        _arrivals.Enqueue(timestamp);
        if (_first < 0) _first = timestamp;
        var second = (int)((timestamp - _first) / Stopwatch.Frequency);
        while (_perSecond.Count <= second) _perSecond.Add(0);
        _perSecond[second]++;
        if (_arrivals.Count > Peak)
        {
            Peak = _arrivals.Count;
            PeakAtSeconds = (double)(timestamp - _first) / Stopwatch.Frequency;
        }
        return _arrivals.Count;
    }

    /// <summary>How many arrivals fall in the trailing second before <paramref name="timestamp"/>, without recording.</summary>
    public int CountBefore(long timestamp)
    {
        while (_arrivals.Count > 0 && timestamp - _arrivals.Peek() >= _window) _arrivals.Dequeue();
        return _arrivals.Count;
    }
}
