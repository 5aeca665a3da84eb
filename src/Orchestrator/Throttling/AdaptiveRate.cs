namespace Orchestrator.Throttling;

/// <summary>
/// The share of the configured rate the throttle uses (pure). When the provider still answers a rate or
/// concurrency limit (another client shares the account, or the configured figure is wrong) the share is cut by
/// 30%, at most once per second however many in-flight calls report it; after <see cref="CalmPeriod"/> without
/// one it climbs back by 5% of the configured rate per period. A Retry-After pauses all calls until it passes.
/// </summary>
internal sealed class AdaptiveRate
{
    public const double Decrease = 0.7;
    public const double Increase = 0.05;
    public const double Floor = 0.05;
    public static readonly TimeSpan CalmPeriod = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DefaultPause = TimeSpan.FromSeconds(1);

    private TimeSpan? _lastCut;
    private TimeSpan _lastChange = TimeSpan.Zero;

    public double Share { get; private set; } = 1;
    public TimeSpan PausedUntil { get; private set; } = TimeSpan.MinValue;

    /// <returns>True when the share changed.</returns>
    public bool LimitAnswered(TimeSpan now, TimeSpan? retryAfter)
    {
        var pause = now + (retryAfter ?? DefaultPause);
        if (pause > PausedUntil) PausedUntil = pause;
        if (_lastCut is { } last && now - last < TimeSpan.FromSeconds(1)) return false;
        _lastCut = _lastChange = now;
        var before = Share;
        Share = Math.Max(Floor, Share * Decrease);
        return Share != before;
    }

    /// <returns>True when the share changed.</returns>
    public bool Tick(TimeSpan now)
    {
        if (Share >= 1 || now - _lastChange < CalmPeriod) return false;
        _lastChange = now;
        Share = Math.Min(1, Share + Increase);
        return true;
    }
}
