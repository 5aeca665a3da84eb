using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Relay;

/// <summary>
/// Chanjing's envelope <c>{trace_id, code, msg, data}</c> and query object (../shared/PROVIDERS.md, Chanjing) for our
/// tasks: our task id as <c>unique_id</c>. Chanjing puts its codes in the body, so every answer is HTTP 200. The codes
/// and the envelope are the simulator's (<see cref="ChanjingAnswers"/>), which speaks the same protocol as provider.
/// </summary>
internal static class ChanjingRelayAnswers
{
    public const int BadFormat = ChanjingAnswers.BadFormat;
    public const int TokenInvalid = ChanjingAnswers.TokenInvalid;
    public const int BadParameter = ChanjingAnswers.BadParameter;
    public const int QpsExceeded = ChanjingAnswers.QpsExceeded;
    public const int InternalError = ChanjingAnswers.InternalError;

    /// <summary>Chanjing's <c>progress_desc</c> for our status.</summary>
    public static string ProgressDesc(TaskLifecycle status) => status switch
    {
        TaskLifecycle.Accepted or TaskLifecycle.Submitting or TaskLifecycle.Submitted => "Queued",
        TaskLifecycle.Processing => "Generating",
        TaskLifecycle.Succeeded => "Success",
        _ => "Error",
    };

    public static JsonObject TaskObject(TaskView v, RelayResultLinks links, string? baseUrl) => new()
    {
        ["unique_id"] = v.Id,
        ["progress_desc"] = ProgressDesc(v.Status),
        ["err_msg"] = KlingRelayAnswers.FailureMessage(v),
        ["output_url"] = v.Status == TaskLifecycle.Succeeded ? new JsonArray([.. v.Results.Select(r => (JsonNode)links.UrlFor(v.Id, r, baseUrl))]) : new JsonArray(),
        ["create_time"] = v.CreatedAt.ToUnixTimeSeconds(),
        ["model_code"] = v.Model,
        ["aspect_ratio"] = v.Metadata?.GetValueOrDefault(RelaySubmissions.AspectRatioKey) ?? "1:1",
        ["creation_type"] = v.Kind == "text-to-image" ? 3 : 4,
    };

    public static JsonObject Envelope(int code, string msg, JsonNode? data) => ChanjingAnswers.Envelope(code, msg, data);

    public static IResult Ok(JsonNode? data) => ChanjingAnswers.Ok(data);

    public static IResult Error(int code, string msg) => ChanjingAnswers.Error(code, msg);

    public static IResult Refused(RelayRefusal refusal) => refusal.Kind switch
    {
        RelayRefusalKind.Busy => Error(InternalError, "系统内部错误: " + refusal.Message),
        // Chanjing documents one limit code, for its QPS: our quota answers both its limits with it.
        RelayRefusalKind.RateLimited or RelayRefusalKind.TooManyUnfinished => Error(QpsExceeded, "超出 QPS 限制: " + refusal.Message),
        _ => Error(BadParameter, "参数错误: " + refusal.Message),
    };
}
