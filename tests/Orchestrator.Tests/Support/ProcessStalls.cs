using System.Diagnostics;

namespace Orchestrator.Tests.Support;

/// <summary>
/// Records the moments this whole process did not run: a dedicated thread that asks to wake every 10 ms and notes each
/// wake more than <see cref="Threshold"/> late (the machine busy with other processes, or the runtime paused every thread
/// for a collection). A rate measured across such a moment could not have been kept by any code in the process, so
/// timing tests count them out; work stuck in the process's own thread pool does not show here and is not excused.
/// </summary>
public sealed class ProcessStalls : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    /// <summary>A wake this late is a stall; shorter ones are the scheduler's ordinary jitter.</summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(50);

    private readonly List<(long From, long To)> _stalls = [];
    private readonly Thread _thread;
    private volatile bool _stopping;

    public ProcessStalls()
    {
        _thread = new Thread(Watch) { IsBackground = true, Name = "process stall probe", Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    private void Watch()
    {
        while (!_stopping)
        {
            var before = Stopwatch.GetTimestamp();
            Thread.Sleep(Tick);
            var after = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(before, after) - Tick > Threshold)
                lock (_stalls) _stalls.Add((before + (long)(Tick.TotalSeconds * Stopwatch.Frequency), after));
        }
    }

    /// <summary>How long the process stood still between two <see cref="Stopwatch"/> timestamps.</summary>
    public TimeSpan Within(long from, long to)
    {
        long ticks = 0;
        lock (_stalls)
            foreach (var (f, t) in _stalls)
                ticks += Math.Max(0, Math.Min(t, to) - Math.Max(f, from));
        return TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);
    }

    /// <summary>Every stall so far, for a failure's message.</summary>
    public string Describe(long origin)
    {
        lock (_stalls)
            return _stalls.Count == 0 ? "none" : string.Join(", ", _stalls.Select(s =>
                $"{(double)(s.From - origin) / Stopwatch.Frequency:0.00} s +{(double)(s.To - s.From) / Stopwatch.Frequency * 1000:0} ms"));
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
    }
}
