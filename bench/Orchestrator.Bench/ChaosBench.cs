namespace Orchestrator.Bench;

/// <summary>
/// Issue 21's long chaos runs: <c>chaos-kill</c> (a batch of --tasks 3,000 and --kills 5 SIGKILLs at seeded moments) and
/// <c>chaos-faults</c> (the provider-fault mix: 20 % 5xx, 5 % hung, 2 % malformed, 2 % resets, two --storm-seconds 30
/// rate-limit storms on every account and Kling down for --down-seconds 120). Prints <see cref="ChaosResult.Report"/>;
/// exit code 1 when any promise was broken.
/// </summary>
public static class ChaosBench
{
    public static readonly string[] Names = ["chaos-kill", "chaos-faults"];

    public static async Task<int> RunAsync(string scenario, int? tasks, int kills, int seed, double stormSeconds, double downSeconds, string dataDirectory)
    {
        var plan = scenario == "chaos-kill"
            ? ChaosPlan.KillStorm(tasks ?? 3_000, kills, seed)
            : ChaosPlan.ProviderFaults(tasks ?? 3_000, stormSeconds, downSeconds, seed) with { PollCapSeconds = 60 }; // the default: 20 failed polls outlast the outage
        // Long runs wait long: the outage and the storms come on top of the tasks' own time.
        plan = plan with { Timeout = TimeSpan.FromSeconds(300 + plan.Tasks / 5.0 + downSeconds + 2 * stormSeconds) };
        ScenarioReport.Header(scenario, $"{plan.Tasks:N0} image tasks over kling, dmxapi and chanjing at {plan.Qps} QPS each, seed {seed}", dataDirectory);
        var result = await ChaosRun.RunAsync(plan, dataDirectory);
        Console.WriteLine();
        Console.Write(result.Report());
        ScenarioReport.Json(new
        {
            scenario, cores = Environment.ProcessorCount, build = ScenarioReport.Build(), result.Accepted, result.Ended, result.Lost, result.WrongEndCount,
            result.Kills, seconds = Math.Round(result.Seconds, 1), result.Accounts, result.StuckSamples, result.StuckSamplesNotEmpty, result.ErrorLines,
            problems = result.Problems(),
        });
        return result.Problems().Count == 0 ? 0 : 1;
    }
}
