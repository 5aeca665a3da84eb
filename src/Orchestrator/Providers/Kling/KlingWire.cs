using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Providers.Kling;

// Kling's wire format, shared by the official API and the DMXAPI relay (docs/providers.md, Kling and DMXAPI relay).
// Field names are snake_case exactly as the provider documents them; absent optionals are omitted.

internal sealed record KlingImageBody(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("negative_prompt")] string? NegativePrompt,
    [property: JsonPropertyName("image")] string? Image,
    [property: JsonPropertyName("resolution")] string? Resolution,
    [property: JsonPropertyName("output_format")] string? OutputFormat,
    [property: JsonPropertyName("n")] int? N,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl,
    [property: JsonPropertyName("external_task_id")] string? ExternalTaskId);

internal sealed record KlingVideoBody(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("negative_prompt")] string? NegativePrompt,
    [property: JsonPropertyName("image")] string? Image,
    [property: JsonPropertyName("cfg_scale")] double? CfgScale,
    [property: JsonPropertyName("mode")] string? Mode,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("duration")] string? Duration,
    [property: JsonPropertyName("camera_control")] KlingCameraControl? CameraControl,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl,
    [property: JsonPropertyName("external_task_id")] string? ExternalTaskId);

internal sealed record KlingCameraControl(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("config")] KlingCameraConfig? Config);

internal sealed record KlingCameraConfig(
    [property: JsonPropertyName("horizontal")] double Horizontal,
    [property: JsonPropertyName("vertical")] double Vertical,
    [property: JsonPropertyName("pan")] double Pan,
    [property: JsonPropertyName("tilt")] double Tilt,
    [property: JsonPropertyName("roll")] double Roll,
    [property: JsonPropertyName("zoom")] double Zoom);

internal sealed record KlingEnvelope(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("data")] KlingTask? Data);

internal sealed record KlingTask(
    [property: JsonPropertyName("task_id")] string? TaskId,
    [property: JsonPropertyName("task_status")] string? TaskStatus,
    [property: JsonPropertyName("task_status_msg")] string? TaskStatusMsg,
    [property: JsonPropertyName("task_info")] KlingTaskInfo? TaskInfo,
    [property: JsonPropertyName("created_at")] long? CreatedAt,
    [property: JsonPropertyName("updated_at")] long? UpdatedAt,
    [property: JsonPropertyName("task_result")] KlingTaskResult? TaskResult);

internal sealed record KlingTaskInfo([property: JsonPropertyName("external_task_id")] string? ExternalTaskId);

internal sealed record KlingTaskResult(
    [property: JsonPropertyName("images")] IReadOnlyList<KlingImage>? Images,
    [property: JsonPropertyName("videos")] IReadOnlyList<KlingVideo>? Videos);

internal sealed record KlingImage([property: JsonPropertyName("index")] int Index, [property: JsonPropertyName("url")] string Url);

internal sealed record KlingVideo(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("duration")] string? Duration);

internal static class KlingJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Kling answers "duration" as a string but some relays send a number: accept both.
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
