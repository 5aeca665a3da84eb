namespace Orchestrator.Simulator;

/// <summary>How the simulated provider account behaves. Bound from the <c>Simulator</c> configuration section.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The bearer key the account accepts; any other key gets Kling's auth error (401, code 1000).</summary>
    public string ApiKey { get; set; } = "sim-key";

    public double ImageMinSeconds { get; set; } = 2;
    public double ImageMaxSeconds { get; set; } = 6;
    public double VideoMinSeconds { get; set; } = 5;
    public double VideoMaxSeconds { get; set; } = 15;

    /// <summary>Share of a task's duration it spends in <c>submitted</c> before <c>processing</c>.</summary>
    public double QueuedFraction { get; set; } = 0.2;

    /// <summary>Share of tasks that end <c>failed</c> with a reason (answered with <c>code: 0</c>, as Kling does).</summary>
    public double FailureRate { get; set; }

    /// <summary>Share of calls answered HTTP 500 with code 5000.</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>Requests per rolling second the account accepts; over it: HTTP 429 with code 1302. 0 = no limit.</summary>
    public double QpsLimit { get; set; }

    /// <summary>Seed for durations and failures, for repeatable runs.</summary>
    public int? Seed { get; set; }
}
