namespace Orchestrator.Polling;

/// <summary>The most recent task durations (seconds) of one account, kind and model: a fixed-size ring, so it follows drift.</summary>
internal sealed class DurationSample(int capacity)
{
    private readonly double[] _ring = new double[Math.Max(1, capacity)];
    private int _next;

    /// <summary>Durations held (at most the capacity).</summary>
    public int Count { get; private set; }

    /// <summary>Durations added since the sample was created.</summary>
    public long Added { get; private set; }

    public void Add(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return;
        _ring[_next] = seconds;
        _next = (_next + 1) % _ring.Length;
        Count = Math.Min(Count + 1, _ring.Length);
        Added++;
    }

    /// <summary>The held durations, ascending.</summary>
    public double[] Sorted()
    {
        var copy = _ring[..Count];
        Array.Sort(copy);
        return copy;
    }

    /// <summary>The <paramref name="q"/> quantile (0–1) of ascending <paramref name="sorted"/>, nearest rank.</summary>
    public static double Quantile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
