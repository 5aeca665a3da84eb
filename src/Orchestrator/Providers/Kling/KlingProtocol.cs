using System.Text.Json;
using System.Globalization;
using Orchestrator.Tasks;

namespace Orchestrator.Providers.Kling;

/// <summary>Kling's paths, request bodies, statuses and error codes (pure mapping, no I/O).</summary>
internal static class KlingProtocol
{
    public static string CreatePath(GenerationKind kind) => kind switch
    {
        GenerationKind.TextToImage => "/v1/images/generations",
        GenerationKind.TextToVideo => "/v1/videos/text2video",
        GenerationKind.ImageToVideo => "/v1/videos/image2video",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static object Body(ProviderSubmission s)
    {
        var r = s.Request;
        if (r.Kind == GenerationKind.TextToImage)
        {
            return new KlingImageBody(r.Model, r.Prompt, r.NegativePrompt, r.ImageUrl, r.Resolution, r.OutputFormat, r.Count, r.AspectRatio,
                s.CallbackUrl, s.TaskId);
        }
        var camera = r.CameraControl is null
            ? null
            : new KlingCameraControl(r.CameraControl.Type, r.CameraControl.Config is { } c
                ? new KlingCameraConfig(c.Horizontal, c.Vertical, c.Pan, c.Tilt, c.Roll, c.Zoom)
                : null);
        return new KlingVideoBody(r.Model, r.Prompt, r.NegativePrompt, r.Kind == GenerationKind.ImageToVideo ? r.ImageUrl : null,
            r.CfgScale, r.Mode, r.AspectRatio, r.DurationSeconds?.ToString(CultureInfo.InvariantCulture), camera, s.CallbackUrl, s.TaskId);
    }

    public static ProviderTaskStatus? MapStatus(string? status) => status switch
    {
        "submitted" => ProviderTaskStatus.Queued,
        "processing" => ProviderTaskStatus.Running,
        "succeed" => ProviderTaskStatus.Succeeded,
        "failed" => ProviderTaskStatus.Failed,
        _ => null,
    };

    public static ProviderTaskSnapshot? ToSnapshot(KlingTask t)
    {
        var status = MapStatus(t.TaskStatus);
        if (status is null || string.IsNullOrEmpty(t.TaskId)) return null;
        var results = new List<TaskResult>();
        if (t.TaskResult?.Images is { } images)
            results.AddRange(images.Select(i => new TaskResult(i.Index, i.Url, "image")));
        if (t.TaskResult?.Videos is { } videos)
            results.AddRange(videos.Select((v, i) => new TaskResult(i, v.Url, "video")));
        var updated = t.UpdatedAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        return new ProviderTaskSnapshot(t.TaskId, status.Value, results, t.TaskStatusMsg, updated);
    }

    /// <summary>
    /// A callback body: Kling (and DMXAPI) post the bare task object, as in a query's <c>data</c>. A wrapped
    /// <c>{code, data}</c> body is read too. Null when it is not a task object.
    /// </summary>
    public static ProviderTaskSnapshot? ParseCallback(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) return null;
        if (!body.TryGetProperty("task_id", out _) && body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object) body = data;
        try
        {
            return body.Deserialize<KlingTask>() is { } task ? ToSnapshot(task) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Kling's error table (docs/providers.md, Kling): 1302/1303 and 5000–5002 are retryable, the rest final.</summary>
    public static ProviderError MapError(int httpStatus, int code, string? message, TimeSpan? retryAfter)
    {
        var msg = string.IsNullOrWhiteSpace(message) ? $"Kling error {code} (HTTP {httpStatus})" : message;
        var c = code.ToString(CultureInfo.InvariantCulture);
        return code switch
        {
            1302 or 1303 => new ProviderError(c, msg, Retryable: true, IsRateLimit: true, RetryAfter: retryAfter),
            >= 5000 and <= 5002 => new ProviderError(c, msg, Retryable: true, RetryAfter: retryAfter),
            1202 or 1203 => new ProviderError(c, msg, Retryable: false, IsNotFound: true),
            >= 1000 and < 2000 => new ProviderError(c, msg, Retryable: false),
            // Undocumented codes: trust the HTTP status class.
            _ => new ProviderError(c, msg, Retryable: httpStatus >= 500 || httpStatus == 429, IsRateLimit: httpStatus == 429, RetryAfter: retryAfter),
        };
    }
}
