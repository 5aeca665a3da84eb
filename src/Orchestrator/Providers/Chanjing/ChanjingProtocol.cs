using System.Text.Json;
using System.Globalization;
using Orchestrator.Tasks;

namespace Orchestrator.Providers.Chanjing;

/// <summary>Chanjing's request bodies, statuses and codes (pure mapping, no I/O).</summary>
internal static class ChanjingProtocol
{
    public const int TokenInvalid = 10400;
    public const int QpsExceeded = 40001;
    /// <summary>40000, a parameter error, as <see cref="ProviderError.Code"/> spells it.</summary>
    public const string BadParameterCode = "40000";

    public static ChanjingSubmitBody Body(ProviderSubmission s)
    {
        var r = s.Request;
        var isImage = r.Kind == GenerationKind.TextToImage;
        return new ChanjingSubmitBody(
            RefImgUrl: r.ImageUrl is null ? null : [r.ImageUrl],
            RefPrompt: r.Prompt,
            CreationType: isImage ? 3 : 4,
            AspectRatio: r.AspectRatio,
            Clarity: r.Resolution switch { "1k" => 1024, "2k" => 2048, _ => null },
            NumberOfImages: isImage ? r.Count : null,
            ModelCode: r.Model,
            VideoDuration: isImage ? null : r.DurationSeconds,
            QualityMode: isImage ? null : r.Mode,
            Callback: s.CallbackUrl);
    }

    /// <summary>Queued/Ready → queued, Generating → running, Success → succeeded, Error/Fail → failed.</summary>
    public static ProviderTaskStatus? MapStatus(string? progress) => progress switch
    {
        "Queued" or "Ready" => ProviderTaskStatus.Queued,
        "Generating" => ProviderTaskStatus.Running,
        "Success" => ProviderTaskStatus.Succeeded,
        "Error" or "Fail" => ProviderTaskStatus.Failed,
        _ => null,
    };

    public static ProviderTaskSnapshot? ToSnapshot(ChanjingTask t)
    {
        var status = MapStatus(t.ProgressDesc);
        if (status is null || string.IsNullOrEmpty(t.UniqueId)) return null;
        var kind = t.CreationType == 4 ? "video" : "image";
        var results = (t.OutputUrl ?? []).Select((url, i) => new TaskResult(i, url, kind)).ToList();
        var updated = (t.UpdateTime ?? t.CreateTime) is { } secs ? DateTimeOffset.FromUnixTimeSeconds(secs) : (DateTimeOffset?)null;
        return new ProviderTaskSnapshot(t.UniqueId, status.Value, results, t.ErrMsg, updated);
    }

    /// <summary>A callback body: the query's task object, wrapped in <c>{code, msg, data}</c> or bare. Null when it is not one.</summary>
    public static ProviderTaskSnapshot? ParseCallback(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) return null;
        if (!body.TryGetProperty("unique_id", out _) && body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object) body = data;
        try
        {
            return body.Deserialize<ChanjingTask>() is { } task ? ToSnapshot(task) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>0 ok · 400/40000 parameters (final) · 10400 token (refresh once, then final) · 40001 QPS (retry) · 50000 internal (retry).</summary>
    public static ProviderError MapError(int code, string? msg, TimeSpan? retryAfter)
    {
        var message = string.IsNullOrWhiteSpace(msg) ? $"Chanjing error {code}" : msg;
        var c = code.ToString(CultureInfo.InvariantCulture);
        return code switch
        {
            QpsExceeded => new ProviderError(c, message, Retryable: true, IsRateLimit: true, RetryAfter: retryAfter),
            50000 => new ProviderError(c, message, Retryable: true, RetryAfter: retryAfter),
            _ => new ProviderError(c, message, Retryable: false),
        };
    }
}
