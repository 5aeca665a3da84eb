using System.Text.Json;

namespace Orchestrator.Tasks;

/// <summary>What kind of media a task generates.</summary>
internal enum GenerationKind
{
    /// <summary>An image from a prompt (<c>text-to-image</c>).</summary>
    TextToImage,
    /// <summary>A video from a prompt (<c>text-to-video</c>).</summary>
    TextToVideo,
    /// <summary>A video from a start image and a prompt (<c>image-to-video</c>).</summary>
    ImageToVideo,
}

/// <summary>The kinds by the names the API uses (<c>text-to-image</c>).</summary>
internal static class GenerationKinds
{
    public static readonly IReadOnlyDictionary<string, GenerationKind> ByWireName = new Dictionary<string, GenerationKind>
    {
        ["text-to-image"] = GenerationKind.TextToImage,
        ["text-to-video"] = GenerationKind.TextToVideo,
        ["image-to-video"] = GenerationKind.ImageToVideo,
    };

    public static string WireName(this GenerationKind kind) => JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());
}

/// <summary>
/// A validated generation request (a <see cref="TaskSubmission"/> the validator accepted), as accepted and journaled:
/// its JSON is in every journal written, so its field names never change. Optional fields are null when the caller
/// left them out, so the provider's own default applies.
/// </summary>
internal sealed record GenerationRequest
{
    /// <summary>The provider account the task is sent to (e.g. <c>simulator</c>, <c>dmxapi</c>).</summary>
    public required string Provider { get; init; }
    /// <summary>The kind of media to generate.</summary>
    public required GenerationKind Kind { get; init; }
    /// <summary>The provider's model name, e.g. <c>kling-v1-5</c>.</summary>
    public required string Model { get; init; }
    /// <summary>The prompt.</summary>
    public required string Prompt { get; init; }
    /// <summary>What to keep out of the result.</summary>
    public string? NegativePrompt { get; init; }
    /// <summary>Aspect ratio such as <c>16:9</c>.</summary>
    public string? AspectRatio { get; init; }
    /// <summary>Image resolution <c>1k</c> or <c>2k</c> (Kling <c>resolution</c>, Chanjing <c>clarity</c> 1024/2048).</summary>
    public string? Resolution { get; init; }
    /// <summary>Number of images (Kling <c>n</c>).</summary>
    public int? Count { get; init; }
    /// <summary><c>png</c> or <c>jpg</c> (images).</summary>
    public string? OutputFormat { get; init; }
    /// <summary>Video length in seconds.</summary>
    public int? DurationSeconds { get; init; }
    /// <summary><c>std</c> or <c>pro</c> (videos).</summary>
    public string? Mode { get; init; }
    /// <summary>Freedom of the video generation, 0..1.</summary>
    public double? CfgScale { get; init; }
    /// <summary>Camera movement (videos).</summary>
    public CameraControl? CameraControl { get; init; }
    /// <summary>Start or reference image URL.</summary>
    public string? ImageUrl { get; init; }
    /// <summary>Caller's key: the same key twice yields the same task.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>Free-form labels kept with the task (e.g. <c>tenant</c>).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    /// <summary>Seconds after acceptance at which the task ends <c>timed_out</c>; null uses the kind's default.</summary>
    public int? DeadlineSeconds { get; init; }
    /// <summary>Where this task's completion is delivered as a signed webhook (besides registered endpoints).</summary>
    public string? WebhookUrl { get; init; }

    /// <summary>
    /// Set by the drop-in relay (never by a caller): <see cref="WebhookUrl"/> receives every state change, not only the end
    /// (docs/relay.md). Its events carry <c>webhookEveryState</c> and a tag of their own, which the state deliverer follows.
    /// </summary>
    public bool? WebhookEveryState { get; init; }

    /// <summary>The batch this task came in (set by the batch intake, never by a caller).</summary>
    public string? BatchId { get; init; }

    /// <summary>Its 1-based line in the batch upload.</summary>
    public int? BatchLine { get; init; }

    /// <summary>The task this one runs again (set by a batch retry, never by a caller).</summary>
    public string? RetryOf { get; init; }

    /// <summary>The key its submits are shared fairly by: the caller's <c>metadata.tenant</c>, else its batch.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? FairnessKey => Metadata?.GetValueOrDefault("tenant") ?? (BatchId is null ? null : "batch:" + BatchId);

    /// <summary>Same request (every field, <c>WebhookUrl</c> included), metadata compared by content (the idempotency check: a reused key must mean the same task).</summary>
    public bool SameAs(GenerationRequest other) =>
        this with { Metadata = null } == other with { Metadata = null }
        && (Metadata ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key).SequenceEqual((other.Metadata ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key));

    /// <summary>Images are polled at a 1 s floor, videos at 3 s (DMXAPI's example intervals; docs/polling.md).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsVideo => Kind != GenerationKind.TextToImage;
}
