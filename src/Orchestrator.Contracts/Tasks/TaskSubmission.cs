namespace Orchestrator.Tasks;

/// <summary>
/// A task request: the body of <c>POST /v1/tasks</c>, a line of a batch upload, what the CLI's <c>submit</c> sends and
/// what code that embeds the orchestrator passes to <c>IOrchestrator.SubmitAsync</c>. Every field is optional here so
/// that validation, not deserialization, names what is wrong; start from <see cref="TextToImage"/>,
/// <see cref="TextToVideo"/> or <see cref="ImageToVideo"/> and set the rest with <c>with { … }</c>.
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
    /// <summary>Number of images, 1–9 (Kling) or 1–4 (Chanjing).</summary>
    public int? Count { get; init; }
    /// <summary><c>png</c> or <c>jpg</c> (images).</summary>
    public string? OutputFormat { get; init; }
    /// <summary>Video length in seconds (5 or 10).</summary>
    public int? DurationSeconds { get; init; }
    /// <summary><c>std</c> or <c>pro</c> (videos).</summary>
    public string? Mode { get; init; }
    /// <summary>Freedom of the video generation, 0..1.</summary>
    public double? CfgScale { get; init; }
    /// <summary>Camera movement (text-to-video).</summary>
    public CameraControl? CameraControl { get; init; }
    /// <summary>Start image URL (image-to-video).</summary>
    public string? ImageUrl { get; init; }
    /// <summary>Caller's key: the same key twice yields the same task.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>Free-form labels kept with the task (<c>tenant</c> also shares the account fairly).</summary>
    public Dictionary<string, string>? Metadata { get; init; }
    /// <summary>Seconds after acceptance at which the task ends <c>timed_out</c>; null uses the kind's default.</summary>
    public int? DeadlineSeconds { get; init; }
    /// <summary>A URL that receives this task's completion as a signed webhook (Standard Webhooks).</summary>
    public string? WebhookUrl { get; init; }

    /// <summary>
    /// The <see cref="WebhookUrl"/> receives every state change (accepted, processing, the end), not only the end. Set by
    /// the server's drop-in relay, whose Kling-style clients expect Kling's callback protocol; internal, so no request's
    /// JSON sets it and tasks that did not come through the relay keep the completion webhook alone.
    /// </summary>
    internal bool WebhookEveryState { get; init; }

    /// <summary>Images from a prompt (<c>text-to-image</c>); <see cref="Count"/>, <see cref="AspectRatio"/>, <see cref="Resolution"/> and <see cref="OutputFormat"/> apply.</summary>
    /// <param name="provider">The provider account, e.g. <c>simulator</c> or <c>dmxapi</c>.</param>
    /// <param name="model">The provider's model, e.g. <c>kling-v1-5</c>.</param>
    /// <param name="prompt">What to generate.</param>
    public static TaskSubmission TextToImage(string provider, string model, string prompt) => Of("text-to-image", provider, model, prompt);

    /// <summary>A video from a prompt (<c>text-to-video</c>); <see cref="DurationSeconds"/>, <see cref="AspectRatio"/>, <see cref="Mode"/>, <see cref="CfgScale"/> and <see cref="CameraControl"/> apply.</summary>
    /// <param name="provider">The provider account, e.g. <c>simulator</c> or <c>dmxapi</c>.</param>
    /// <param name="model">The provider's model, e.g. <c>kling-v1-6</c>.</param>
    /// <param name="prompt">What to generate.</param>
    public static TaskSubmission TextToVideo(string provider, string model, string prompt) => Of("text-to-video", provider, model, prompt);

    /// <summary>A video from a start image and a prompt (<c>image-to-video</c>); <see cref="DurationSeconds"/>, <see cref="Mode"/> and <see cref="CfgScale"/> apply.</summary>
    /// <param name="provider">The provider account, e.g. <c>simulator</c> or <c>dmxapi</c>.</param>
    /// <param name="model">The provider's model, e.g. <c>kling-v1-6</c>.</param>
    /// <param name="prompt">What to generate.</param>
    /// <param name="imageUrl">The start image's absolute http or https URL.</param>
    public static TaskSubmission ImageToVideo(string provider, string model, string prompt, string imageUrl) =>
        Of("image-to-video", provider, model, prompt) with { ImageUrl = imageUrl };

    private static TaskSubmission Of(string kind, string provider, string model, string prompt) =>
        new() { Provider = provider, Kind = kind, Model = model, Prompt = prompt };
}

/// <summary>Kling camera movement. <c>Config</c> is only allowed with <c>Type = "simple"</c>.</summary>
/// <param name="Type"><c>simple</c>, <c>down_back</c>, <c>forward_up</c>, <c>right_turn_forward</c> or <c>left_turn_forward</c>.</param>
/// <param name="Config">The movement of a <c>simple</c> camera; null for the other types.</param>
public sealed record CameraControl(string Type, CameraConfig? Config);

/// <summary>Exactly one of the six axes may be non-zero, each within [-10, 10].</summary>
/// <param name="Horizontal">Sideways movement.</param>
/// <param name="Vertical">Up or down movement.</param>
/// <param name="Pan">Rotation about the vertical axis.</param>
/// <param name="Tilt">Rotation about the horizontal axis.</param>
/// <param name="Roll">Rotation about the lens axis.</param>
/// <param name="Zoom">Moving closer or further.</param>
public sealed record CameraConfig(
    double Horizontal = 0, double Vertical = 0, double Pan = 0, double Tilt = 0, double Roll = 0, double Zoom = 0);
