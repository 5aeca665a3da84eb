using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Cli.Wire;

/// <summary>
/// A task as the server shows it. Only the fields the CLI reads are typed; every other field is kept in
/// <see cref="Other"/>, so <c>--json</c> prints the server's document whole, including fields newer than this client.
/// </summary>
public sealed record TaskView
{
    public required string Id { get; init; }
    public string? Provider { get; init; }
    public string? Kind { get; init; }
    public string? Model { get; init; }
    public required string Status { get; init; }
    public List<ResultFile> Results { get; init; } = [];
    public TaskError? Error { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }

    /// <summary>The batch it came in and its 1-based line there, when it came in a batch.</summary>
    [JsonIgnore]
    public (string Id, int? Line)? Batch =>
        Other?.GetValueOrDefault("batchId") is { ValueKind: JsonValueKind.String } id
            ? (id.GetString()!, Other.GetValueOrDefault("batchLine") is { ValueKind: JsonValueKind.Number } line ? line.GetInt32() : null)
            : null;

    [JsonIgnore]
    public bool HasEnded => TaskStatuses.IsTerminal(Status);

    [JsonIgnore]
    public bool Succeeded => Status == TaskStatuses.Succeeded;
}

/// <summary>One result file: the provider's <c>url</c>, and our stored copy (<c>storedUrl</c>, <c>sha256</c>) once re-hosted.</summary>
public sealed record ResultFile
{
    public int Index { get; init; }
    public string? Url { get; init; }
    public string? Kind { get; init; }
    public string? StoredUrl { get; init; }
    public string? Sha256 { get; init; }
    public long? Bytes { get; init; }
    public string? ContentType { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record TaskError(string? Code, string? Message, bool Retryable);

/// <summary>The server's status names.</summary>
public static class TaskStatuses
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string TimedOut = "timed_out";
    public const string Cancelled = "cancelled";

    /// <summary>In lifecycle order, for displays that list every status.</summary>
    public static readonly string[] All = ["accepted", "submitting", "submitted", "processing", Succeeded, Failed, TimedOut, Cancelled];

    public static readonly string[] Terminal = [Succeeded, Failed, TimedOut, Cancelled];

    public static bool IsTerminal(string status) => Array.IndexOf(Terminal, status) >= 0;
}
