namespace Orchestrator.Tests.Simulator;

/// <summary>
/// The simulator tests run alone, after the parallel ones: their bursts (120 submits, QPS probes) would otherwise
/// load the machine under tests that measure real request timing, such as the rolling-second throttle test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SimulatorCollection
{
    public const string Name = "Simulator";
}
