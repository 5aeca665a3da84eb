namespace Orchestrator.Simulator;

/// <summary>A task on the simulated provider: its fate is drawn at creation, its status follows from the clock.</summary>
public sealed record SimulatedTask(
    string TaskId,
    string? ExternalTaskId,
    string Kind,            // "image" or "video"
    int Count,
    DateTimeOffset CreatedAt,
    TimeSpan Duration,
    TimeSpan QueuedFor,
    string? FailureReason)
{
    public string StatusAt(DateTimeOffset now) =>
        now - CreatedAt < QueuedFor ? "submitted"
        : now - CreatedAt < Duration ? "processing"
        : FailureReason is null ? "succeed" : "failed";

    public DateTimeOffset UpdatedAt(DateTimeOffset now) =>
        now - CreatedAt < QueuedFor ? CreatedAt
        : now - CreatedAt < Duration ? CreatedAt + QueuedFor
        : CreatedAt + Duration;
}
