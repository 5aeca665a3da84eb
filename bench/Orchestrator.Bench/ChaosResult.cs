using System.Globalization;
using System.Text;

namespace Orchestrator.Bench;

/// <summary>One account's figures after a chaos run: our tasks and how they ended, and what the simulator saw of them.</summary>
/// <param name="ProviderTasks">Tasks the simulator holds for the account: one per task, plus any created twice.</param>
/// <param name="Marked">Our tasks marked <c>possibleDuplicate</c>.</param>
/// <param name="DuplicatesUnmarked">Chanjing requests created twice whose task is not marked: a silent duplicate.</param>
public sealed record ChaosAccountFigures(
    string Account, int Tasks, int Succeeded, int Failed, long ProviderTasks, long DuplicateExternalIds, long DuplicateRequests, int Marked,
    int DuplicatesUnmarked, int PeakPerSecond, long QpsExceeded, long RateLimitAnswers, long ServerErrors, long Timeouts, long Malformed,
    long Resets, long Unavailable);

/// <summary>What a chaos run showed; <see cref="Problems"/> lists every broken promise (empty when the run passed).</summary>
/// <param name="Accepted">Tasks the batch upload accepted (durable at the 202).</param>
/// <param name="Ended">Tasks the batch's results list as ended.</param>
/// <param name="WrongEnds">Tasks that ended otherwise than the provider's own record says (a few listed).</param>
/// <param name="StuckSamples">Times <c>GET /v1/admin/stuck</c> was asked during the run.</param>
/// <param name="StuckSeen">What non-empty answers listed (a few).</param>
/// <param name="ErrorLines">Lines the server logged at error level or above, over all its lives (a few listed in <paramref name="ErrorSample"/>).</param>
public sealed record ChaosResult(
    ChaosPlan Plan, int Accepted, int Ended, int Kills, double Seconds, IReadOnlyList<ChaosAccountFigures> Accounts, int WrongEndCount,
    IReadOnlyList<string> WrongEnds, int StuckSamples, int StuckSamplesNotEmpty, IReadOnlyList<string> StuckSeen, int ErrorLines,
    IReadOnlyList<string> ErrorSample, IReadOnlyList<string> Outages)
{
    public int Lost => Accepted - Ended;

    /// <summary>Every promise of issue 21 the run broke, in words; empty when it passed.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Accepted != Plan.Tasks) problems.Add($"the batch accepted {Accepted} of {Plan.Tasks} tasks");
        if (Lost != 0) problems.Add($"{Lost} tasks lost (accepted {Accepted}, ended {Ended})");
        if (WrongEndCount > 0) problems.Add($"{WrongEndCount} tasks ended wrong: {string.Join("; ", WrongEnds)}");
        foreach (var a in Accounts)
        {
            if (a.DuplicateExternalIds > 0) problems.Add($"{a.Account}: {a.DuplicateExternalIds} second submissions of an external id");
            if (a.Account != "chanjing" && a.ProviderTasks != a.Tasks) problems.Add($"{a.Account}: the provider holds {a.ProviderTasks} tasks for our {a.Tasks}");
            if (a.DuplicatesUnmarked > 0) problems.Add($"{a.Account}: {a.DuplicatesUnmarked} tasks created twice and not marked possibleDuplicate");
            // A task that failed before learning its provider id may have left one there: more is a create we cannot account for.
            if (a.Account == "chanjing" && a.ProviderTasks > a.Tasks + a.DuplicateRequests)
                problems.Add($"{a.Account}: the provider holds {a.ProviderTasks} tasks for our {a.Tasks} and {a.DuplicateRequests} repeated requests");
            if (a.PeakPerSecond > Plan.Qps || a.QpsExceeded > 0)
                problems.Add($"{a.Account}: QPS limit {Plan.Qps} not held (peak {a.PeakPerSecond} in a rolling second, {a.QpsExceeded} refusals by the window)");
        }
        if (StuckSamplesNotEmpty > 0) problems.Add($"{StuckSamplesNotEmpty} of {StuckSamples} /v1/admin/stuck samples were not empty: {string.Join("; ", StuckSeen)}");
        if (ErrorLines > 0) problems.Add($"the server logged {ErrorLines} error lines: {string.Join(" | ", ErrorSample)}");
        return problems;
    }

    /// <summary>The figures as docs/reliability.md shows them.</summary>
    public string Report()
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine(c, $"{Plan.Name}: {Accepted:N0} tasks accepted, {Ended:N0} ended, {Lost} lost, {WrongEndCount} ended wrong, {Kills} SIGKILLs, {Seconds:0} s");
        foreach (var o in Outages) s.AppendLine(c, $"  outage: {o}");
        s.AppendLine("  account  | tasks | succeeded | failed | at provider | 2nd ext-id submits | repeated requests | marked possibleDuplicate | unmarked | peak/s | window refusals | 429s | 5xx | hung | malformed | resets | 503 down");
        foreach (var a in Accounts)
            s.AppendLine(c, $"  {a.Account,-8} | {a.Tasks} | {a.Succeeded} | {a.Failed} | {a.ProviderTasks} | {a.DuplicateExternalIds} | {a.DuplicateRequests} | {a.Marked} | {a.DuplicatesUnmarked} | {a.PeakPerSecond} | {a.QpsExceeded} | {a.RateLimitAnswers} | {a.ServerErrors} | {a.Timeouts} | {a.Malformed} | {a.Resets} | {a.Unavailable}");
        s.AppendLine(c, $"  /v1/admin/stuck: {StuckSamples} samples, {StuckSamplesNotEmpty} not empty; server error log lines: {ErrorLines}");
        var problems = Problems();
        s.AppendLine(problems.Count == 0 ? "  PASSED" : "  FAILED: " + string.Join(Environment.NewLine + "    ", problems));
        return s.ToString();
    }
}
