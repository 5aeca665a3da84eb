namespace Orchestrator.Bench;

/// <summary>The options of issue 20's scenarios as given on the command line; null = the scenario's own default.</summary>
public sealed record TargetOptions(
    int? Tasks, int? Seconds, int? WarmupSeconds, int? InFlight, double? Qps, int Rate, int HoldSeconds, int Unfinished,
    StorageChoice Storage, double? RetentionDays, int RetentionWaitSeconds, IReadOnlyList<string> Settings, int Restarts = 3);

/// <summary>
/// Issue 20's performance targets, one scenario each. They drive the orchestrator only through its public surfaces (the
/// embedding API, the HTTP server as a process, <c>/healthz</c>, <c>/v1/tasks</c>, <c>/v1/batches</c>, <c>/v1/providers</c>)
/// and read the database only with SQL, so they measure any build of the read side alike.
/// </summary>
public static class TargetScenarios
{
    public static readonly string[] Names = ["e2e", "accept-latency", "history-memory", "in-flight", "restart-ended", "restart-unfinished", "growth"];

    public static Task<int> RunAsync(string scenario, TargetOptions o, string dataDirectory) => scenario switch
    {
        "e2e" => EndToEndBench.RunAsync(o.Seconds ?? 60, o.WarmupSeconds ?? 10, o.InFlight ?? 2_000, o.Storage, o.Settings, dataDirectory),
        // A minute's warm-up: in the first one the JIT's second tier still recompiles the hot paths, and took a fifth of
        // the machine's CPU 22-37 s after the server started (perf, session 14); the target is the steady state.
        "accept-latency" => AcceptLatencyBench.RunAsync(o.Rate, o.Seconds ?? 30, o.WarmupSeconds ?? 60, o.Qps ?? 2_000, o.Settings, dataDirectory),
        "history-memory" => HistoryMemoryBench.RunAsync(o.Tasks ?? 200_000, o.InFlight ?? 2_000, o.Settings, dataDirectory),
        "in-flight" => InFlightBench.RunAsync(o.Tasks ?? 100_000, o.Qps ?? 5_000, o.InFlight ?? 64, o.HoldSeconds, o.Settings, dataDirectory),
        "restart-ended" => RestartEndedBench.RunAsync(o.Tasks ?? 200_000, o.Unfinished, o.Restarts, o.Settings, dataDirectory),
        "restart-unfinished" => RestartUnfinishedBench.RunAsync(o.Tasks ?? 100_000, o.Qps ?? 5_000, o.Restarts, o.Settings, dataDirectory),
        "growth" => GrowthBench.RunAsync(o.Tasks ?? 10_000, o.InFlight ?? 2_000, o.RetentionDays, o.RetentionWaitSeconds, o.Settings, dataDirectory),
        _ => throw new ArgumentException($"Unknown scenario '{scenario}'."),
    };
}
