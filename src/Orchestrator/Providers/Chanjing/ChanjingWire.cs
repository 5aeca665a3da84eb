using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Providers.Chanjing;

// Chanjing's wire format (docs/providers.md, Chanjing). Field order follows Chanjing's own parameter table.

internal sealed record ChanjingSubmitBody(
    [property: JsonPropertyName("ref_img_url")] IReadOnlyList<string>? RefImgUrl,
    [property: JsonPropertyName("ref_prompt")] string RefPrompt,
    [property: JsonPropertyName("creation_type")] int CreationType,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("clarity")] int? Clarity,
    [property: JsonPropertyName("number_of_images")] int? NumberOfImages,
    [property: JsonPropertyName("model_code")] string ModelCode,
    [property: JsonPropertyName("video_duration")] int? VideoDuration,
    [property: JsonPropertyName("quality_mode")] string? QualityMode,
    [property: JsonPropertyName("callback")] string? Callback);

internal sealed record ChanjingTokenBody(
    [property: JsonPropertyName("app_id")] string AppId,
    [property: JsonPropertyName("secret_key")] string SecretKey);

internal sealed record ChanjingPageBody(
    [property: JsonPropertyName("unique_ids")] IReadOnlyList<string> UniqueIds,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("page_size")] int PageSize);

/// <summary><c>{trace_id, code, msg, data}</c>; <c>data</c> differs per call.</summary>
internal sealed record ChanjingEnvelope(
    [property: JsonPropertyName("trace_id")] string? TraceId,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("msg")] string? Msg,
    [property: JsonPropertyName("data")] JsonElement Data);

internal sealed record ChanjingToken(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("expire_in")] long ExpireIn);

internal sealed record ChanjingTask(
    [property: JsonPropertyName("unique_id")] string? UniqueId,
    [property: JsonPropertyName("progress_desc")] string? ProgressDesc,
    [property: JsonPropertyName("err_msg")] string? ErrMsg,
    [property: JsonPropertyName("output_url")] IReadOnlyList<string>? OutputUrl,
    [property: JsonPropertyName("create_time")] long? CreateTime,
    [property: JsonPropertyName("update_time")] long? UpdateTime,
    [property: JsonPropertyName("creation_type")] int? CreationType);

internal sealed record ChanjingPage([property: JsonPropertyName("list")] IReadOnlyList<ChanjingTask>? List);

internal static class ChanjingJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
