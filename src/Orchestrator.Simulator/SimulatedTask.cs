namespace Orchestrator.Simulator;

/// <summary>Where a simulated task is in its life; each protocol names these phases its own way.</summary>
public enum TaskPhase
{
    Queued,
    Running,
    // The two ends come last so "a later phase" is a numeric comparison (a task reaches only one of them).
    Succeeded,
    Failed,
}

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
    /// <summary>Creation order within the account, for newest-first lists.</summary>
    public long Sequence { get; init; }

    /// <summary>The create path it came in on (Kling lists per path), e.g. <c>/v1/images/generations</c>.</summary>
    public string Endpoint { get; init; } = "";

    public string Model { get; init; } = "";
    public string AspectRatio { get; init; } = "1:1";

    /// <summary>The clip length asked for, in seconds (videos).</summary>
    public int ClipSeconds { get; init; } = 5;

    /// <summary>Where status changes are POSTed; null when the client asked for none.</summary>
    public string? CallbackUrl { get; init; }

    /// <summary>Absolute URL of the files area the results are served from, fixed when the task was created.</summary>
    public string FilesBase { get; init; } = "";

    /// <summary>Slots it holds against the account's concurrency limit until it ends.</summary>
    public int Slots => Kind == "image" ? Count : 1;

    public DateTimeOffset StartsAt => CreatedAt + QueuedFor;
    public DateTimeOffset EndsAt => CreatedAt + Duration;

    public TaskPhase PhaseAt(DateTimeOffset now) =>
        now < StartsAt ? TaskPhase.Queued
        : now < EndsAt ? TaskPhase.Running
        : FailureReason is null ? TaskPhase.Succeeded : TaskPhase.Failed;

    public DateTimeOffset UpdatedAt(DateTimeOffset now) =>
        now < StartsAt ? CreatedAt
        : now < EndsAt ? StartsAt
        : EndsAt;

    public bool EndedAt(DateTimeOffset now) => PhaseAt(now) >= TaskPhase.Succeeded;

    /// <summary>URLs of the result files (served while the task has succeeded).</summary>
    public IReadOnlyList<string> ResultUrls() => Kind == "image"
        ? [.. Enumerable.Range(0, Count).Select(i => $"{FilesBase}/{TaskId}/{i}.png")]
        : [$"{FilesBase}/{TaskId}/0.mp4"];
}
