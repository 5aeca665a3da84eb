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
    double QpsLimit,
    int ConcurrencyLimit)
{
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
        a.QpsLimit ?? d.QpsLimit,
        a.ConcurrencyLimit ?? d.ConcurrencyLimit);
}
