namespace Orchestrator.ResultFiles;

/// <summary>Delay before retrying a download: doubling from the base, capped, with jitter so retries of many files spread out.</summary>
internal static class DownloadBackoff
{
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);

    /// <summary>Relative jitter (±10%).</summary>
    public const double Jitter = 0.1;

    /// <summary>A longer Retry-After is cut to this, so one answer cannot park a task for hours.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    /// <param name="failedAttempt">The attempt that just failed, from 1.</param>
    /// <param name="baseSeconds">Delay after the first failed attempt, before jitter.</param>
    /// <param name="draw">A uniform draw in [0, 1).</param>
    public static TimeSpan After(int failedAttempt, double baseSeconds, double draw)
    {
        var seconds = Math.Min(baseSeconds * Math.Pow(2, failedAttempt - 1), Cap.TotalSeconds);
        return TimeSpan.FromSeconds(Math.Max(0, seconds * (1 + Jitter * (2 * draw - 1))));
    }

    /// <summary>The server's Retry-After when it sent one (up to <see cref="MaxRetryAfter"/>), else the backoff.</summary>
    public static TimeSpan After(int failedAttempt, double baseSeconds, double draw, TimeSpan? retryAfter) =>
        retryAfter is { } asked ? (asked < MaxRetryAfter ? asked : MaxRetryAfter) : After(failedAttempt, baseSeconds, draw);
}
