namespace Orchestrator.Throttling;

/// <summary>
/// A provider's QPS limit as the throttle enforces it. Providers count arrivals in a rolling second; our calls
/// reach them with some jitter, so we hold at most <see cref="WindowCapacity"/> calls in any window of one second
/// plus the jitter allowance (<see cref="Window"/>). A token bucket at the same average rate spaces the calls
/// evenly, with a burst of 1 up to 200 QPS (above that the burst grows so the refill ticks every ~5 ms).
/// </summary>
internal sealed record RateBudget(int WindowCapacity, TimeSpan Window, int Burst, double RefillPerSecond)
{
    public static RateBudget For(double qps, TimeSpan jitterAllowance)
    {
        if (qps <= 0) throw new ArgumentOutOfRangeException(nameof(qps), "A rate limit must be positive.");
        var capacity = Math.Max(1, (int)Math.Floor(qps));
        var window = TimeSpan.FromSeconds(capacity / qps) + jitterAllowance; // below 1 QPS: one call per 1/qps seconds
        var burst = Math.Max(1, (int)Math.Ceiling(qps / 200));
        return new RateBudget(capacity, window, burst, capacity / window.TotalSeconds);
    }

    public TimeSpan ReplenishmentPeriod => TimeSpan.FromSeconds(Burst / RefillPerSecond);
}
