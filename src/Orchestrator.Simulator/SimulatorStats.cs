namespace Orchestrator.Simulator;

/// <summary>
/// What the simulator has received, for tests and the benchmark: one account's figures, or the totals
/// (counts summed, the peak the highest account's peak).
/// </summary>
/// <param name="Submits">Create calls that reached the task store (duplicates and concurrency refusals included).</param>
/// <param name="Polls">Single-task queries.</param>
/// <param name="RateLimitAnswers">QPS refusals (Kling 1302, Chanjing 40001), injected ones included.</param>
/// <param name="PeakRequestsPerSecond">Most calls that arrived in one rolling second, refused ones included.</param>
/// <param name="PageQueries">Kling list queries and Chanjing page queries.</param>
/// <param name="PageQueryTasks">Task objects answered by page queries (so tasks per query = this / PageQueries).</param>
/// <param name="LargestPageQuery">Most task objects answered by one page query.</param>
/// <param name="ConcurrencyLimitAnswers">Kling 1303 refusals.</param>
/// <param name="TokenRequests">Chanjing access tokens issued (each one invalidates the previous).</param>
/// <param name="DuplicateExternalIds">Creates naming an external id the account already has: a second submission of one task (refused).</param>
/// <param name="Resets">Connections dropped unanswered (<see cref="SimulatedFault.ConnectionReset"/>).</param>
/// <param name="UnavailableAnswers">HTTP 503 answers of a provider that is down (<see cref="SimulatedFault.Unavailable"/>).</param>
/// <param name="QpsExceededAnswers">Refusals by the account's own QPS window (<see cref="SimulatorOptions.QpsLimit"/>): the client went over it. Part of <paramref name="RateLimitAnswers"/>.</param>
/// <param name="DuplicateRequests">
/// Chanjing creates whose body equals an earlier create's: the same task sent again (Chanjing takes no external id, so it
/// creates a second task). Distinct tasks must differ somewhere, e.g. by prompt, for this to mean duplicates.
/// </param>
/// <param name="TokenRefusals">
/// Chanjing calls refused with 10400 because their access token was superseded, expired or never issued: with one token
/// owner per account, none (a second fetcher's token knocks out the first's).
/// </param>
public sealed record SimulatorStats(
    long Submits,
    long Polls,
    long RateLimitAnswers,
    long AuthFailures,
    long ServerErrors,
    int PeakRequestsPerSecond,
    double PeakAtSeconds,
    long DuplicateExternalIds,
    int Tasks,
    long PageQueries = 0,
    long PageQueryTasks = 0,
    int LargestPageQuery = 0,
    long ConcurrencyLimitAnswers = 0,
    long Timeouts = 0,
    long MalformedAnswers = 0,
    long TokenRequests = 0,
    long CallbacksSent = 0,
    long CallbacksFailed = 0,
    long Resets = 0,
    long UnavailableAnswers = 0,
    long QpsExceededAnswers = 0,
    long DuplicateRequests = 0,
    long TokenRefusals = 0)
{
    public static SimulatorStats Total(IReadOnlyCollection<SimulatorStats> accounts)
    {
        var peak = accounts.MaxBy(s => s.PeakRequestsPerSecond);
        return new SimulatorStats(
            accounts.Sum(s => s.Submits),
            accounts.Sum(s => s.Polls),
            accounts.Sum(s => s.RateLimitAnswers),
            accounts.Sum(s => s.AuthFailures),
            accounts.Sum(s => s.ServerErrors),
            peak?.PeakRequestsPerSecond ?? 0,
            peak?.PeakAtSeconds ?? 0,
            accounts.Sum(s => s.DuplicateExternalIds),
            accounts.Sum(s => s.Tasks),
            accounts.Sum(s => s.PageQueries),
            accounts.Sum(s => s.PageQueryTasks),
            accounts.Count == 0 ? 0 : accounts.Max(s => s.LargestPageQuery),
            accounts.Sum(s => s.ConcurrencyLimitAnswers),
            accounts.Sum(s => s.Timeouts),
            accounts.Sum(s => s.MalformedAnswers),
            accounts.Sum(s => s.TokenRequests),
            accounts.Sum(s => s.CallbacksSent),
            accounts.Sum(s => s.CallbacksFailed),
            accounts.Sum(s => s.Resets),
            accounts.Sum(s => s.UnavailableAnswers),
            accounts.Sum(s => s.QpsExceededAnswers),
            accounts.Sum(s => s.DuplicateRequests),
            accounts.Sum(s => s.TokenRefusals));
    }
}
