namespace Orchestrator.Simulator;

/// <summary>An account's behaviour for one call: its overrides over the simulator-wide options, resolved at that moment.</summary>
public sealed record AccountBehaviour(
    double ImageMinSeconds,
    double ImageMaxSeconds,
    double VideoMinSeconds,
    double VideoMaxSeconds,
    double QueuedFraction,
    double FailureRate,
    double ServerErrorRate,
    double TimeoutRate,
    double MalformedRate,
    double ResetRate,
    double QpsLimit,
    int ConcurrencyLimit)
{
    /// <summary>
    /// The <paramref name="q"/> quantile (0–1) of this account's task durations of one kind, in seconds: they are drawn
    /// uniformly between the kind's least and most seconds.
    /// </summary>
    public double DurationQuantile(bool video, double q)
    {
        var (min, max) = video ? (VideoMinSeconds, VideoMaxSeconds) : (ImageMinSeconds, ImageMaxSeconds);
        return min + Math.Clamp(q, 0, 1) * (max - min);
    }

    public static AccountBehaviour Resolve(SimulatedAccountOptions a, SimulatorOptions d) => new(
        a.ImageMinSeconds ?? d.ImageMinSeconds,
        a.ImageMaxSeconds ?? d.ImageMaxSeconds,
        a.VideoMinSeconds ?? d.VideoMinSeconds,
        a.VideoMaxSeconds ?? d.VideoMaxSeconds,
        a.QueuedFraction ?? d.QueuedFraction,
        a.FailureRate ?? d.FailureRate,
        a.ServerErrorRate ?? d.ServerErrorRate,
        a.TimeoutRate ?? d.TimeoutRate,
        a.MalformedRate ?? d.MalformedRate,
        a.ResetRate ?? d.ResetRate,
        a.QpsLimit ?? d.QpsLimit,
        a.ConcurrencyLimit ?? d.ConcurrencyLimit);
}
