using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using static Orchestrator.Simulator.RequestJson;

namespace Orchestrator.Server.Relay;

/// <summary>
/// A provider-style create body as an ordinary <see cref="TaskSubmission"/>, checked first with the provider's own rules
/// (the simulator's <see cref="KlingValidation"/> and <see cref="ChanjingValidation"/>), so a client gets the message
/// the provider would give. Fields the orchestrator cannot carry to any provider are refused by name rather than dropped:
/// a result made without them would not be what the client asked for.
/// </summary>
public static class RelaySubmissions
{
    /// <summary>Metadata naming the style a task came in by (<c>dmxapi</c>, <c>kling</c>, <c>chanjing</c>): it shapes its answers and callbacks.</summary>
    public const string StyleKey = "relay";
    /// <summary>Metadata keeping the client's <c>external_task_id</c>, answered in <c>task_info</c>.</summary>
    public const string ExternalIdKey = "external_task_id";
    /// <summary>Metadata keeping what the answers repeat but a task view does not hold (video duration, Chanjing aspect ratio).</summary>
    public const string DurationKey = "relay_duration";
    /// <inheritdoc cref="DurationKey"/>
    public const string AspectRatioKey = "relay_aspect_ratio";

    private static readonly string[] KlingUnsupported = ["image_reference", "image_fidelity", "human_fidelity", "image_tail", "static_mask", "dynamic_masks"];

    /// <summary>The Kling-style body for <paramref name="path"/> (e.g. <c>/v1/videos/text2video</c>) as a submission, or Kling's 1201 message.</summary>
    public static (TaskSubmission? Submission, string? Problem) FromKling(RelayStyle style, string account, string path, JsonObject b)
    {
        if (KlingValidation.Problem(path, b) is { } problem) return (null, problem);
        var images = path == KlingValidation.Images;
        foreach (var field in images ? [.. KlingUnsupported, "image"] : KlingUnsupported)
            if (IsGiven(b[field])) return (null, $"{field} is not supported by this relay");
        TryString(b["model_name"], out var model);
        TryString(b["prompt"], out var prompt);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [StyleKey] = Name(style) };
        var submission = new TaskSubmission
        {
            Provider = account,
            Kind = images ? "text-to-image" : path == KlingValidation.TextToVideo ? "text-to-video" : "image-to-video",
            Model = model,
            Prompt = prompt,
            NegativePrompt = Text(b["negative_prompt"]),
            AspectRatio = Text(b["aspect_ratio"]),
            Metadata = metadata,
            WebhookUrl = Text(b["callback_url"]),
            // Kling posts its task object on every status change: so does the relay (docs/relay.md, "Callbacks").
            WebhookEveryState = true,
        };
        if (images)
        {
            submission = submission with
            {
                Count = TryInt(b["n"], out var n) ? n : null, Resolution = Text(b["resolution"]), OutputFormat = Text(b["output_format"]),
            };
        }
        else
        {
            var duration = Text(b["duration"]);
            metadata[DurationKey] = duration ?? "5";
            submission = submission with
            {
                DurationSeconds = duration is null ? null : int.Parse(duration, CultureInfo.InvariantCulture),
                Mode = Text(b["mode"]),
                CfgScale = TryNumber(b["cfg_scale"], out var cfg) ? cfg : null,
                CameraControl = Camera(b["camera_control"]),
                ImageUrl = Text(b["image"]),
            };
        }
        if (Text(b["external_task_id"]) is { } external)
        {
            metadata[ExternalIdKey] = external;
            submission = submission with { IdempotencyKey = RelayTasks.ExternalIdempotencyKey(external) };
        }
        return (submission, null);
    }

    /// <summary>The Chanjing-style submit body as a submission, or the problem (answered 40000).</summary>
    public static (TaskSubmission? Submission, string? Problem) FromChanjing(string account, JsonObject b)
    {
        if (ChanjingValidation.Problem(b) is { } problem) return (null, problem);
        TryInt(b["creation_type"], out var type);
        var reference = b["ref_img_url"] is JsonArray { Count: 1 } refs ? refs[0]!.GetValue<string>() : null;
        if (type == 3 && reference is not null) return (null, "ref_img_url is not supported for images by this relay");
        TryString(b["model_code"], out var model);
        var ratio = Text(b["aspect_ratio"]) ?? "1:1";
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [StyleKey] = Name(RelayStyle.Chanjing), [AspectRatioKey] = ratio };
        var submission = new TaskSubmission
        {
            Provider = account,
            Kind = type == 3 ? "text-to-image" : reference is null ? "text-to-video" : "image-to-video",
            Model = model,
            // image-to-video may animate the image alone; our tasks always carry a prompt.
            Prompt = Text(b["ref_prompt"]) ?? (reference is not null ? "animate the image" : null),
            AspectRatio = ratio,
            Metadata = metadata,
            WebhookUrl = Text(b["callback"]),
            Mode = Text(b["quality_mode"]),
            ImageUrl = reference,
        };
        if (type == 3)
            return (submission with
            {
                Count = TryInt(b["number_of_images"], out var n) ? n : null,
                Resolution = TryInt(b["clarity"], out var clarity) ? clarity == 2048 ? "2k" : "1k" : null,
            }, null);
        var seconds = b["video_duration"] is { } d ? TryInt(d, out var i) ? i : int.Parse(d.GetValue<string>(), CultureInfo.InvariantCulture) : (int?)null;
        return (submission with { DurationSeconds = seconds }, null);
    }

    /// <summary>The style's name as <c>metadata.relay</c> holds it.</summary>
    public static string Name(RelayStyle style) => style.ToString().ToLowerInvariant();

    /// <summary>Our validation's field names as the provider's body spells them, so a 1201/40000 message names what the client sent.</summary>
    public static string ProviderField(string field, RelayStyle style) => (field, style) switch
    {
        ("model", RelayStyle.Chanjing) => "model_code",
        ("model", _) => "model_name",
        ("prompt", RelayStyle.Chanjing) => "ref_prompt",
        ("negativePrompt", _) => "negative_prompt",
        ("aspectRatio", _) => "aspect_ratio",
        ("count", RelayStyle.Chanjing) => "number_of_images",
        ("count", _) => "n",
        ("resolution", RelayStyle.Chanjing) => "clarity",
        ("outputFormat", _) => "output_format",
        ("durationSeconds", RelayStyle.Chanjing) => "video_duration",
        ("durationSeconds", _) => "duration",
        ("mode", RelayStyle.Chanjing) => "quality_mode",
        ("cfgScale", _) => "cfg_scale",
        ("cameraControl", _) => "camera_control",
        ("imageUrl", RelayStyle.Chanjing) => "ref_img_url",
        ("imageUrl", _) => "image",
        ("webhookUrl", RelayStyle.Chanjing) => "callback",
        ("webhookUrl", _) => "callback_url",
        ("idempotencyKey", _) => "external_task_id",
        ("kind" or "provider", _) => "", // the route decides both: the message alone says what is wrong
        _ => field,
    };

    // The seeds send "" for fields they leave out (callback_url, external_task_id, negative_prompt): "" means absent.
    private static string? Text(JsonNode? node) => TryString(node, out var s) && s.Length > 0 ? s : null;

    private static bool IsGiven(JsonNode? node) => node is not null && !(TryString(node, out var s) && s.Length == 0);

    private static CameraControl? Camera(JsonNode? node)
    {
        if (node is not JsonObject c || !TryString(c["type"], out var type)) return null;
        if (c["config"] is not JsonObject config) return new CameraControl(type, null);
        double Axis(string name) => TryNumber(config[name], out var v) ? v : 0;
        return new CameraControl(type, new CameraConfig(Axis("horizontal"), Axis("vertical"), Axis("pan"), Axis("tilt"), Axis("roll"), Axis("zoom")));
    }
}
