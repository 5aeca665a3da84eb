namespace Orchestrator.Simulator;

/// <summary>One account's tallies, updated with <see cref="Interlocked"/> from concurrent requests.</summary>
internal sealed class AccountCounters
{
    public long Submits, Polls, RateLimitAnswers, AuthFailures, ServerErrors, DuplicateExternalIds, PageQueries, PageQueryTasks,
        ConcurrencyLimitAnswers, Timeouts, MalformedAnswers, TokenRequests, CallbacksSent, CallbacksFailed,
        Resets, UnavailableAnswers, QpsExceededAnswers, DuplicateRequests, TokenRefusals;

    private int _largestPage;

    public void CountPage(int tasks)
    {
        Interlocked.Increment(ref PageQueries);
        Interlocked.Add(ref PageQueryTasks, tasks);
        int seen;
        while (tasks > (seen = Volatile.Read(ref _largestPage)) && Interlocked.CompareExchange(ref _largestPage, tasks, seen) != seen) { }
    }

    public void CountFault(SimulatedFault fault)
    {
        switch (fault)
        {
            case SimulatedFault.RateLimit: Interlocked.Increment(ref RateLimitAnswers); break;
            case SimulatedFault.ServerError: Interlocked.Increment(ref ServerErrors); break;
            case SimulatedFault.Timeout: Interlocked.Increment(ref Timeouts); break;
            case SimulatedFault.Malformed: Interlocked.Increment(ref MalformedAnswers); break;
            case SimulatedFault.ConnectionReset: Interlocked.Increment(ref Resets); break;
            case SimulatedFault.Unavailable: Interlocked.Increment(ref UnavailableAnswers); break;
        }
    }

    public SimulatorStats Snapshot(int peak, double peakAt, int tasks) => new(
        Interlocked.Read(ref Submits), Interlocked.Read(ref Polls), Interlocked.Read(ref RateLimitAnswers),
        Interlocked.Read(ref AuthFailures), Interlocked.Read(ref ServerErrors), peak, peakAt, Interlocked.Read(ref DuplicateExternalIds), tasks,
        Interlocked.Read(ref PageQueries), Interlocked.Read(ref PageQueryTasks), Volatile.Read(ref _largestPage),
        Interlocked.Read(ref ConcurrencyLimitAnswers), Interlocked.Read(ref Timeouts), Interlocked.Read(ref MalformedAnswers),
        Interlocked.Read(ref TokenRequests), Interlocked.Read(ref CallbacksSent), Interlocked.Read(ref CallbacksFailed),
        Interlocked.Read(ref Resets), Interlocked.Read(ref UnavailableAnswers), Interlocked.Read(ref QpsExceededAnswers), Interlocked.Read(ref DuplicateRequests),
        Interlocked.Read(ref TokenRefusals));
}
