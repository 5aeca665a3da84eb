using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Simulator;

/// <summary>Kling's envelope, task object and error answers, shared by the official API and the DMXAPI relay.</summary>
public static class KlingAnswers
{
    public static string Status(TaskPhase phase) => phase switch
    {
        TaskPhase.Queued => "submitted",
        TaskPhase.Running => "processing",
        TaskPhase.Succeeded => "succeed",
        _ => "failed",
    };

    /// <summary>The task object as it stood at <paramref name="at"/>.</summary>
    public static JsonObject TaskObject(SimulatedTask t, DateTimeOffset at)
    {
        var phase = t.PhaseAt(at);
        var o = new JsonObject
        {
            ["task_id"] = t.TaskId,
            ["task_status"] = Status(phase),
            ["task_status_msg"] = phase == TaskPhase.Failed ? t.FailureReason : "",
            ["task_info"] = new JsonObject { ["external_task_id"] = t.ExternalTaskId },
            ["created_at"] = t.CreatedAt.ToUnixTimeMilliseconds(),
            ["updated_at"] = t.UpdatedAt(at).ToUnixTimeMilliseconds(),
        };
        if (phase == TaskPhase.Succeeded)
        {
            var urls = t.ResultUrls();
            o["task_result"] = t.Kind == "image"
                ? new JsonObject { ["images"] = new JsonArray([.. urls.Select((url, i) => (JsonNode)new JsonObject { ["index"] = i, ["url"] = url })]) }
                : new JsonObject { ["videos"] = new JsonArray(new JsonObject
                    { ["id"] = t.TaskId + "-v0", ["url"] = urls[0], ["duration"] = t.ClipSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }) };
        }
        return o;
    }

    /// <summary>Kling POSTs the bare task object, no envelope, on each status change.</summary>
    public static string CallbackBody(SimulatedTask t, DateTimeOffset at) => TaskObject(t, at).ToJsonString();

    public static IResult Ok(JsonNode data) =>
        Results.Json(new JsonObject { ["code"] = 0, ["message"] = "SUCCEED", ["request_id"] = Guid.NewGuid().ToString("N"), ["data"] = data });

    public static IResult Error(int http, int code, string message) =>
        Results.Json(new JsonObject { ["code"] = code, ["message"] = message, ["request_id"] = Guid.NewGuid().ToString("N") }, statusCode: http);

    /// <summary>How Kling answers an injected or drawn fault; null when the call proceeds (no fault, or accept-then-hang). A create passes <see cref="SimulatedFault.ConnectionReset"/> on only after creating.</summary>
    public static async Task<IResult?> FaultAsync(HttpContext http, ProviderSimulator sim, SimulatedFault? fault) => fault switch
    {
        SimulatedFault.RateLimit => Error(429, 1302, "rate limit exceeded, please slow down"),
        SimulatedFault.ServerError => Error(500, 5000, "internal server error"),
        SimulatedFault.EchoCredentials => Error(401, 1000, $"Invalid authorization header '{http.Request.Headers.Authorization}'"),
        SimulatedFault.Malformed => SimulatorEndpoints.MalformedAnswer(),
        SimulatedFault.Timeout => await SimulatorEndpoints.HangAsync(http, sim),
        SimulatedFault.Unavailable => SimulatorEndpoints.UnavailableAnswer(),
        SimulatedFault.ConnectionReset => SimulatorEndpoints.Reset(http),
        _ => null,
    };
}
