using Orchestrator.Bench;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Chaos;

/// <summary>
/// Issue 21's chaos runs at CI scale (the long ones are the bench's <c>chaos-kill</c> and <c>chaos-faults</c> scenarios, figures
/// in docs/reliability.md): the server as its own process on a SQLite file, the simulator in this process counting every create,
/// a batch of image tasks over a Kling, a DMXAPI and a Chanjing account. <see cref="ChaosResult.Problems"/> is every broken
/// promise: a task lost or ended otherwise than the provider says, a second submission of an external id, a Chanjing task
/// created twice and not marked, the QPS limit not held, a non-empty <c>/v1/admin/stuck</c> sample, an error in the server's log.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_hundred_tasks_through_three_sigkills_all_end_as_the_provider_says_none_lost_none_sent_twice_unmarked()
    {
        using var dir = new TempDirectory();
        var result = await ChaosRun.RunAsync(ChaosPlan.KillStorm(tasks: 300, kills: 3), dir.Path, output.WriteLine);
        output.WriteLine(result.Report());

        Assert.Equal(3, result.Kills);
        Assert.Empty(result.Problems());
    }

    [Fact]
    public async Task Three_hundred_tasks_through_provider_faults_storms_and_an_outage_all_end_right_within_the_qps_limit_and_never_stuck()
    {
        using var dir = new TempDirectory();
        var result = await ChaosRun.RunAsync(ChaosPlan.ProviderFaults(tasks: 300, stormSeconds: 3, downSeconds: 10), dir.Path, output.WriteLine);
        output.WriteLine(result.Report());

        Assert.Empty(result.Problems());
        // Every kind of fault was injected, so every kind was survived.
        var kling = result.Accounts.Single(a => a.Account == "kling");
        Assert.All(result.Accounts, a => Assert.True(a is { ServerErrors: > 0, Timeouts: > 0, Malformed: > 0, Resets: > 0, RateLimitAnswers: > 0 }, a.ToString()));
        Assert.True(kling.Unavailable > 0, "the outage answered nothing");
        Assert.True(result.StuckSamples >= 5, $"only {result.StuckSamples} stuck samples");
    }
}
