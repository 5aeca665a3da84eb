using System.Text.Json;

namespace Orchestrator.Tasks;

/// <summary>
/// A task request as a caller sends it (HTTP body or embedding API), before validation. Every field is optional
/// here so that validation, not deserialization, names what is wrong.
/// </summary>
public sealed record TaskSubmission
{
    public string? Provider { get; init; }
    public string? Kind { get; init; }
    public string? Model { get; init; }
    public string? Prompt { get; init; }
    public string? NegativePrompt { get; init; }
    public string? AspectRatio { get; init; }
    public string? Resolution { get; init; }
    public int? Count { get; init; }
    public string? OutputFormat { get; init; }
    public int? DurationSeconds { get; init; }
    public string? Mode { get; init; }
    public double? CfgScale { get; init; }
    public CameraControl? CameraControl { get; init; }
    public string? ImageUrl { get; init; }
    public string? IdempotencyKey { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
    public int? DeadlineSeconds { get; init; }
    public string? WebhookUrl { get; init; }
}

/// <summary>One rejected field: <c>Field</c> is the JSON name the caller used (camelCase).</summary>
public sealed record FieldError(string Field, string Message);

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
