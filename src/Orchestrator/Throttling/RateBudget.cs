namespace Orchestrator.Throttling;

/// <summary>
/// Turns a provider's QPS limit into token-bucket settings that can never exceed it in any rolling second.
/// A bucket of capacity B refilled at r tokens/s lets at most B + r·1s calls through in one second, so we pick
/// B + r = QPS·(1 − margin) + 1, which rounds down to at most QPS. B is 1 up to 200 QPS (calls evenly spaced);
/// above, B grows so the refill timer ticks no faster than every ~5 ms.
/// </summary>
public sealed record RateBudget(int Burst, double RefillPerSecond)
{
    public static RateBudget For(double qps, double margin)
    {
        var target = qps * (1 - Math.Clamp(margin, 0, 0.5));
        var burst = Math.Max(1, (int)Math.Ceiling(qps / 200));
        return new RateBudget(burst, Math.Max(0.01, target - (burst - 1)));
    }

    /// <summary>Most calls any rolling one-second window can see.</summary>
    public int MaxPerRollingSecond => (int)Math.Floor(Burst + RefillPerSecond);

    public TimeSpan ReplenishmentPeriod => TimeSpan.FromSeconds(Burst / RefillPerSecond);
}
