namespace Orchestrator.Polling;

/// <summary>
/// One account's polling figures over its last finished tasks: queries per task and detection lag (our end event
/// minus the provider's <c>updated_at</c>), median and p95, plus the schedules currently learned.
/// </summary>
/// <param name="FinishedTasks">Finished tasks counted since start (the figures cover the last 1,024).</param>
/// <param name="QueriesPerTaskMean">Status queries per finished task, mean.</param>
/// <param name="QueriesPerTaskMedian">Status queries per finished task, median.</param>
/// <param name="QueriesPerTaskP95">Status queries per finished task, 95th percentile.</param>
/// <param name="DetectionLagMedianSeconds">Seconds from the provider's end to ours, median; null before any is known.</param>
/// <param name="DetectionLagP95Seconds">Seconds from the provider's end to ours, 95th percentile; null before any is known.</param>
public sealed record PollingStats(
    int FinishedTasks,
    double QueriesPerTaskMean,
    double QueriesPerTaskMedian,
    double QueriesPerTaskP95,
    double? DetectionLagMedianSeconds,
    double? DetectionLagP95Seconds)
{
    /// <summary>No finished task yet.</summary>
    public static readonly PollingStats None = new(0, 0, 0, 0, null, null);

    /// <summary>The learned schedule per kind and model.</summary>
    public IReadOnlyList<LearnedPlan> Plans { get; init; } = [];
}

/// <summary>A learned schedule: first poll (seconds after submission), growth ratio, durations it was learned from.</summary>
/// <param name="Kind">The generation kind, e.g. <c>text-to-image</c>.</param>
/// <param name="Model">The provider's model.</param>
/// <param name="FirstPollSeconds">Seconds after submission of the first status query.</param>
/// <param name="Ratio">How much each wait grows over the previous one.</param>
/// <param name="Samples">Task durations it was learned from.</param>
public sealed record LearnedPlan(string Kind, string Model, double FirstPollSeconds, double Ratio, int Samples);
