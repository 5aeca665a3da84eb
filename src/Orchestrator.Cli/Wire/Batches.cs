using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Cli.Wire;

/// <summary>The answer to <c>POST /v1/batches</c> (202, or 400 with <see cref="BatchId"/> null when nothing was accepted).</summary>
public sealed record BatchAcceptance
{
    public string? BatchId { get; init; }
    public int Accepted { get; init; }
    public List<RejectedLine> Rejected { get; init; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>A batch line the server refused; <see cref="Line"/> is 1-based, as an editor counts.</summary>
public sealed record RejectedLine(int Line, List<LineError> Errors);

public sealed record LineError(string Field, string Message);

/// <summary><c>GET /v1/batches/{id}</c>: counts by status, rate and ETA as the server measures them.</summary>
public sealed record BatchProgress
{
    public required string BatchId { get; init; }
    public int Total { get; init; }
    public int Rejected { get; init; }
    public Dictionary<string, int> Counts { get; init; } = [];
    public int Ended { get; init; }
    public bool Cancelled { get; init; }
    public double ThroughputPerSecond { get; init; }
    public double? EtaSeconds { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }

    [JsonIgnore]
    public bool HasEnded => CompletedAt is not null || Ended >= Total;

    public int Count(string status) => Counts.GetValueOrDefault(status);

    /// <summary>Tasks that ended other than succeeded: failed, timed out or cancelled.</summary>
    [JsonIgnore]
    public int EndedBadly => Count(TaskStatuses.Failed) + Count(TaskStatuses.TimedOut) + Count(TaskStatuses.Cancelled);
}

/// <summary>
/// <c>DELETE /v1/batches/{id}</c>: tasks still queued in the batch are cancelled at once; tasks already handed to
/// their provider are asked to cancel; some had been cancelled before.
/// </summary>
public sealed record BatchCancellation
{
    public required string BatchId { get; init; }
    public int QueuedCancelled { get; init; }
    public int StartedCancelled { get; init; }
    public int AlreadyCancelled { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}
