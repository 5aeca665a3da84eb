using System.Text.Json.Nodes;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Relay;

/// <summary>
/// Chanjing's envelope <c>{trace_id, code, msg, data}</c> and query object (../shared/PROVIDERS.md, Chanjing) for our
/// tasks: our task id as <c>unique_id</c>. Chanjing puts its codes in the body, so every answer is HTTP 200.
/// </summary>
internal static class ChanjingRelayAnswers
{
    public const int BadFormat = 400;
    public const int TokenInvalid = 10400;
    public const int BadParameter = 40000;
    public const int InternalError = 50000;

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

    public static JsonObject Envelope(int code, string msg, JsonNode? data) =>
        new() { ["trace_id"] = Guid.NewGuid().ToString("N"), ["code"] = code, ["msg"] = msg, ["data"] = data };

    public static IResult Ok(JsonNode? data) => Results.Json(Envelope(0, "success", data));

    public static IResult Error(int code, string msg) => Results.Json(Envelope(code, msg, null));

    public static IResult Refused(RelayRefusal refusal) => refusal.Kind switch
    {
        RelayRefusalKind.Busy => Error(InternalError, "系统内部错误: " + refusal.Message),
        _ => Error(BadParameter, "参数错误: " + refusal.Message),
    };
}
