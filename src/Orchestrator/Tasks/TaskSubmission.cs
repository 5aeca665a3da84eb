using System.Text.Json;

namespace Orchestrator.Tasks;

/// <summary>
/// A task request as a caller sends it (HTTP body or embedding API), before validation. Every field is optional
/// here so that validation, not deserialization, names what is wrong.
/// </summary>
public sealed record TaskSubmission
{
    /// <summary>The provider account the task is sent to, e.g. <c>simulator</c>.</summary>
    public string? Provider { get; init; }
    /// <summary><c>text-to-image</c>, <c>text-to-video</c> or <c>image-to-video</c>.</summary>
    public string? Kind { get; init; }
    /// <summary>The provider's model name, e.g. <c>kling-v1-5</c>.</summary>
    public string? Model { get; init; }
    /// <summary>The prompt.</summary>
    public string? Prompt { get; init; }
    /// <summary>What to keep out of the result.</summary>
    public string? NegativePrompt { get; init; }
    /// <summary>Aspect ratio such as <c>16:9</c>.</summary>
    public string? AspectRatio { get; init; }
    /// <summary><c>1k</c> or <c>2k</c> (images).</summary>
    public string? Resolution { get; init; }
    /// <summary>Number of images.</summary>
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
    /// <summary>Start image URL (image-to-video).</summary>
    public string? ImageUrl { get; init; }
    /// <summary>Caller's key: the same key twice yields the same task.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>Free-form labels kept with the task (<c>tenant</c> also shares the account fairly).</summary>
    public Dictionary<string, string>? Metadata { get; init; }
    /// <summary>Seconds after acceptance at which the task ends <c>timed_out</c>.</summary>
    public int? DeadlineSeconds { get; init; }
    /// <summary>A URL that receives this task's completion as a signed webhook (Standard Webhooks).</summary>
    public string? WebhookUrl { get; init; }
}

public static class GenerationKinds
{
    public static readonly IReadOnlyDictionary<string, GenerationKind> ByWireName = new Dictionary<string, GenerationKind>
    {
        ["text-to-image"] = GenerationKind.TextToImage,
        ["text-to-video"] = GenerationKind.TextToVideo,
        ["image-to-video"] = GenerationKind.ImageToVideo,
    };

    public static string WireName(this GenerationKind kind) => JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());
}
