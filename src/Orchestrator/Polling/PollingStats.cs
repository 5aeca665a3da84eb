namespace Orchestrator.Polling;

/// <summary>
/// One account's polling figures over its last finished tasks: queries per task and detection lag (our end event
/// minus the provider's <c>updated_at</c>), median and p95, plus the schedules currently learned.
/// </summary>
public sealed record PollingStats(
    int FinishedTasks,
    double QueriesPerTaskMean,
    double QueriesPerTaskMedian,
    double QueriesPerTaskP95,
    double? DetectionLagMedianSeconds,
    double? DetectionLagP95Seconds)
{
    public static readonly PollingStats None = new(0, 0, 0, 0, null, null);

    /// <summary>The learned schedule per kind and model.</summary>
    public IReadOnlyList<LearnedPlan> Plans { get; init; } = [];
}

/// <summary>A learned schedule: first poll (seconds after submission), growth ratio, durations it was learned from.</summary>
public sealed record LearnedPlan(string Kind, string Model, double FirstPollSeconds, double Ratio, int Samples);

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
