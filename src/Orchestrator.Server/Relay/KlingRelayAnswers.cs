using System.Text.Json.Nodes;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Relay;

/// <summary>
/// Kling's envelope and task object (../shared/PROVIDERS.md, Kling) for our tasks: our task id as <c>task_id</c>, our
/// statuses mapped onto Kling's four, result URLs pointing at our stored copies once re-hosted.
/// </summary>
internal static class KlingRelayAnswers
{
    /// <summary>Kling's <c>task_status</c> for ours: not yet running is <c>submitted</c>; every unsuccessful end is <c>failed</c>.</summary>
    public static string Status(TaskLifecycle status) => status switch
    {
        TaskLifecycle.Accepted or TaskLifecycle.Submitting or TaskLifecycle.Submitted => "submitted",
        TaskLifecycle.Processing => "processing",
        TaskLifecycle.Succeeded => "succeed",
        _ => "failed",
    };

    /// <summary>Why a task failed, as <c>task_status_msg</c> says it; empty unless it failed.</summary>
    public static string FailureMessage(TaskView v) => v.Status switch
    {
        TaskLifecycle.Failed => v.Error?.Message ?? "failed",
        TaskLifecycle.TimedOut => v.Error?.Message ?? "timed out",
        TaskLifecycle.Cancelled => "cancelled",
        _ => "",
    };

    public static JsonObject TaskObject(TaskView v, RelayResultLinks links, string? baseUrl)
    {
        var o = new JsonObject
        {
            ["task_id"] = v.Id,
            ["task_status"] = Status(v.Status),
            ["task_status_msg"] = FailureMessage(v),
            ["task_info"] = new JsonObject { ["external_task_id"] = v.Metadata?.GetValueOrDefault(RelaySubmissions.ExternalIdKey) ?? "" },
            ["created_at"] = v.CreatedAt.ToUnixTimeMilliseconds(),
            ["updated_at"] = (v.CompletedAt ?? v.SubmittedAt ?? v.CreatedAt).ToUnixTimeMilliseconds(),
        };
        if (v.Status != TaskLifecycle.Succeeded) return o;
        var duration = v.Metadata?.GetValueOrDefault(RelaySubmissions.DurationKey) ?? "5";
        o["task_result"] = v.Kind == "text-to-image"
            ? new JsonObject { ["images"] = new JsonArray([.. v.Results.Select(r => (JsonNode)new JsonObject { ["index"] = r.Index, ["url"] = links.UrlFor(v.Id, r, baseUrl) })]) }
            : new JsonObject { ["videos"] = new JsonArray([.. v.Results.Select(r => (JsonNode)new JsonObject
                { ["id"] = $"{v.Id}-{r.Index}", ["url"] = links.UrlFor(v.Id, r, baseUrl), ["duration"] = duration })]) };
        return o;
    }

    // The envelope is the simulator's, which speaks the same protocol as provider.
    public static IResult Ok(JsonNode data) => Simulator.KlingAnswers.Ok(data);

    public static IResult Error(int http, int code, string message) => Simulator.KlingAnswers.Error(http, code, message);

    public static IResult Refused(RelayRefusal refusal) => refusal.Kind switch
    {
        RelayRefusalKind.NotAllowed => Error(403, 1103, refusal.Message),
        RelayRefusalKind.Busy => Error(500, 5000, refusal.Message),
        RelayRefusalKind.RateLimited => Error(429, 1302, refusal.Message),
        RelayRefusalKind.TooManyUnfinished => Error(429, 1303, refusal.Message),
        _ => Error(400, 1201, refusal.Message),
    };

    public static IResult NotFound() => Error(404, 1203, "task not found");
}
