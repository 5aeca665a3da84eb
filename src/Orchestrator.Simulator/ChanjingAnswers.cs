using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Simulator;

/// <summary>
/// Chanjing's envelope <c>{trace_id, code, msg, data}</c> and query object (docs/providers.md, Chanjing).
/// Chanjing puts its codes in the body, so every answer here is HTTP 200, errors included.
/// </summary>
public static class ChanjingAnswers
{
    public const int BadFormat = 400;
    public const int TokenInvalid = 10400;
    public const int BadParameter = 40000;
    public const int QpsExceeded = 40001;
    public const int InternalError = 50000;

    public static string ProgressDesc(TaskPhase phase) => phase switch
    {
        // Chanjing also has "Ready" (between queued and generating) and "Error"; the simulator uses neither.
        TaskPhase.Queued => "Queued",
        TaskPhase.Running => "Generating",
        TaskPhase.Succeeded => "Success",
        _ => "Fail",
    };

    /// <summary>The query object as it stood at <paramref name="at"/>.</summary>
    public static JsonObject TaskObject(SimulatedTask t, DateTimeOffset at)
    {
        var phase = t.PhaseAt(at);
        return new JsonObject
        {
            ["unique_id"] = t.TaskId,
            ["progress_desc"] = ProgressDesc(phase),
            ["err_msg"] = phase == TaskPhase.Failed ? t.FailureReason : "",
            ["output_url"] = phase == TaskPhase.Succeeded ? new JsonArray([.. t.ResultUrls().Select(u => (JsonNode)u)]) : new JsonArray(),
            ["create_time"] = t.CreatedAt.ToUnixTimeSeconds(),
            ["model_code"] = t.Model,
            ["aspect_ratio"] = t.AspectRatio,
            ["creation_type"] = t.Kind == "image" ? 3 : 4,
        };
    }

    /// <summary>As Chanjing's other callbacks: the query's <c>data</c> object wrapped in the envelope.</summary>
    public static string CallbackBody(SimulatedTask t, DateTimeOffset at) => Envelope(0, "success", TaskObject(t, at)).ToJsonString();

    public static IResult Ok(JsonNode? data) => Results.Json(Envelope(0, "success", data));

    public static IResult Error(int code, string msg) => Results.Json(Envelope(code, msg, null));

    /// <summary>How Chanjing answers an injected or drawn fault; null when the call proceeds (no fault, or accept-then-hang). A create passes <see cref="SimulatedFault.ConnectionReset"/> on only after creating.</summary>
    public static async Task<IResult?> FaultAsync(HttpContext http, ProviderSimulator sim, SimulatedFault? fault) => fault switch
    {
        SimulatedFault.RateLimit => Error(QpsExceeded, "超出 QPS 限制"),
        SimulatedFault.ServerError => Error(InternalError, "系统内部错误"),
        SimulatedFault.EchoCredentials => Error(BadParameter, $"invalid access_token '{http.Request.Headers["access_token"]}'"),
        SimulatedFault.Malformed => SimulatorEndpoints.MalformedAnswer(),
        SimulatedFault.Timeout => await SimulatorEndpoints.HangAsync(http, sim),
        SimulatedFault.Unavailable => SimulatorEndpoints.UnavailableAnswer(),
        SimulatedFault.ConnectionReset => SimulatorEndpoints.Reset(http),
        _ => null,
    };

    /// <summary>The envelope every answer and callback is wrapped in (the server's drop-in relay answers in it too).</summary>
    internal static JsonObject Envelope(int code, string msg, JsonNode? data) =>
        new() { ["trace_id"] = Guid.NewGuid().ToString("N"), ["code"] = code, ["msg"] = msg, ["data"] = data };
}
