namespace Orchestrator.Polling;

/// <summary>The last 1,024 finished tasks of one account.</summary>
internal sealed class AccountPolling
{
    private const int Capacity = 1024;
    private readonly DurationSample _queries = new(Capacity);
    private readonly DurationSample _lags = new(Capacity);

    public void Add(int queries, TimeSpan? lag)
    {
        _queries.Add(queries);
        if (lag is { } l) _lags.Add(Math.Max(0, l.TotalSeconds));
    }

    public PollingStats Stats()
    {
        var q = _queries.Sorted();
        var lags = _lags.Sorted();
        return new PollingStats(
            (int)_queries.Added,
            q.Length == 0 ? 0 : q.Average(),
            q.Length == 0 ? 0 : DurationSample.Quantile(q, 0.5),
            q.Length == 0 ? 0 : DurationSample.Quantile(q, 0.95),
            lags.Length == 0 ? null : DurationSample.Quantile(lags, 0.5),
            lags.Length == 0 ? null : DurationSample.Quantile(lags, 0.95));
    }
}
