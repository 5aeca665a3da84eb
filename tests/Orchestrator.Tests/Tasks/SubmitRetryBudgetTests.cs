using System.Text.Json;
using Orchestrator.Hosting;
using Orchestrator.Polling;

namespace Orchestrator.Tests.Tasks;

/// <summary>
/// Issue 21, provider faults: a provider down for 2 minutes (every submit answered 5xx, a timeout or a lost connection)
/// must not fail the tasks that try to submit during it. The chaos run (ChaosTests, 20 % 5xx) also lost one task in 300 to
/// six unlucky attempts in a row. Between the first attempt and giving up, the default retries must span the outage.
/// </summary>
public sealed class SubmitRetryBudgetTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(2);

    [Fact]
    public void The_default_submit_retries_outlast_a_two_minute_provider_outage_in_the_code_and_in_the_shipped_configuration()
    {
        var shipped = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))).RootElement
            .GetProperty("Orchestrator").GetProperty("Tasks");
        var code = new TaskOptions();
        Assert.True(Span(code.MaxSubmitAttempts, code.SubmitRetryBaseSeconds) > Outage,
            $"TaskOptions: {code.MaxSubmitAttempts} attempts span {Span(code.MaxSubmitAttempts, code.SubmitRetryBaseSeconds).TotalSeconds:0} s");
        var attempts = shipped.GetProperty("MaxSubmitAttempts").GetInt32();
        var baseSeconds = shipped.GetProperty("SubmitRetryBaseSeconds").GetDouble();
        Assert.True(Span(attempts, baseSeconds) > Outage, $"appsettings.json: {attempts} attempts span {Span(attempts, baseSeconds).TotalSeconds:0} s");
    }

    /// <summary>The least time from the first attempt to the last (each retry delay at its shortest, jitter -10 %).</summary>
    private static TimeSpan Span(int attempts, double baseSeconds) =>
        TimeSpan.FromTicks(Enumerable.Range(1, attempts - 1).Sum(a => PollSchedule.SubmitRetryDelay(baseSeconds, a, 0).Ticks));
}
