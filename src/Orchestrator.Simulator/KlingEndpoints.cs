using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Orchestrator.Simulator;

/// <summary>
/// Kling's protocol as the DMXAPI relay serves it (seeds 000, 001): <c>/kling/v1/…</c>, a static bearer key,
/// Kling's envelope, statuses and error codes.
/// </summary>
public static class KlingEndpoints
{
    private static readonly (string Path, string Kind)[] Creates =
    [
        ("/v1/images/generations", "image"),
        ("/v1/videos/text2video", "video"),
        ("/v1/videos/image2video", "video"),
    ];

    public static void Map(IEndpointRouteBuilder app, ProviderSimulator sim, string relayPrefix)
    {
        foreach (var (path, kind) in Creates)
        {
            app.MapPost(relayPrefix + path, (HttpRequest req) => Create(req.HttpContext, sim, kind));
            app.MapGet(relayPrefix + path + "/{id}", (HttpContext http, string id) => Query(http, sim, id));
            app.MapGet(relayPrefix + path, (HttpRequest req) => req.Query["external_task_id"].ToString() is { Length: > 0 } ext
                ? Query(req.HttpContext, sim, ext)
                : Task.FromResult(Error(400, 1201, "external_task_id or a task id in the path is required")));
        }
    }

    private static async Task<IResult> Create(HttpContext http, ProviderSimulator sim, string kind)
    {
        var fault = sim.Admit();
        if (Gate(http, sim, fault) is { } refused) return refused;
        // Like some gateways: a chunked body without Content-Length is refused.
        if (http.Request.ContentLength is null) return Results.StatusCode(411);
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return Error(400, 1200, "request body is not valid JSON");
        }
        if (body is null) return Error(400, 1200, "request body must be a JSON object");
        if (body["model_name"]?.GetValueKind() != JsonValueKind.String) return Error(400, 1201, "model_name is required");
        if (body["prompt"]?.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace((string?)body["prompt"]))
            return Error(400, 1201, "prompt is required");
        var n = 1;
        if (kind == "image" && body["n"] is { } nNode)
        {
            if (nNode.GetValueKind() != JsonValueKind.Number || (n = (int)nNode) is < 1 or > 9) return Error(400, 1201, "n must be an integer in [1, 9]");
        }
        if (kind == "video" && body["duration"] is { } d && (d.GetValueKind() != JsonValueKind.String || (string?)d is not ("5" or "10")))
            return Error(400, 1201, "duration must be the string \"5\" or \"10\"");
        var task = sim.Create(kind, n, (string?)body["external_task_id"]);
        if (task is null) return Error(400, 1201, "external_task_id already exists");
        if (fault == SimulatedFault.AcceptThenHang)
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { });
            return Results.Empty;
        }
        return Ok(TaskObject(http, task, sim.Now));
    }

    private static Task<IResult> Query(HttpContext http, ProviderSimulator sim, string id)
    {
        if (Gate(http, sim, sim.Admit()) is { } refused) return Task.FromResult(refused);
        var task = sim.Find(id);
        return Task.FromResult(task is null ? Error(404, 1203, "task not found") : Ok(TaskObject(http, task, sim.Now)));
    }

    /// <summary>Auth first (as Kling checks the key before limits), then rate limit and injected faults.</summary>
    private static IResult? Gate(HttpContext http, ProviderSimulator sim, SimulatedFault? fault)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        if (auth != "Bearer " + sim.Options.ApiKey)
        {
            sim.CountAuthFailure();
            return Error(401, 1000, "authentication failed");
        }
        return fault switch
        {
            SimulatedFault.RateLimit => Error(429, 1302, "rate limit exceeded, please slow down"),
            SimulatedFault.ServerError => Error(500, 5000, "internal server error"),
            SimulatedFault.Malformed => Results.Text("<html>502 Bad Gateway</html>", "text/html", statusCode: 200),
            _ => null,
        };
    }

    public static JsonObject TaskObject(HttpContext http, SimulatedTask t, DateTimeOffset now)
    {
        var status = t.StatusAt(now);
        var o = new JsonObject
        {
            ["task_id"] = t.TaskId,
            ["task_status"] = status,
            ["task_status_msg"] = status == "failed" ? t.FailureReason : "",
            ["task_info"] = new JsonObject { ["external_task_id"] = t.ExternalTaskId },
            ["created_at"] = t.CreatedAt.ToUnixTimeMilliseconds(),
            ["updated_at"] = t.UpdatedAt(now).ToUnixTimeMilliseconds(),
        };
        if (status == "succeed")
        {
            var files = SimulatorEndpoints.FilesBase(http);
            o["task_result"] = t.Kind == "image"
                ? new JsonObject { ["images"] = new JsonArray(Enumerable.Range(0, t.Count).Select(i => (JsonNode)new JsonObject
                    { ["index"] = i, ["url"] = $"{files}/{t.TaskId}/{i}.png" }).ToArray()) }
                : new JsonObject { ["videos"] = new JsonArray(new JsonObject
                    { ["id"] = t.TaskId + "-v0", ["url"] = $"{files}/{t.TaskId}/0.mp4", ["duration"] = "5" }) };
        }
        return o;
    }

    private static IResult Ok(JsonObject data) =>
        Results.Json(new JsonObject { ["code"] = 0, ["message"] = "SUCCEED", ["request_id"] = Guid.NewGuid().ToString("N"), ["data"] = data });

    private static IResult Error(int http, int code, string message) =>
        Results.Json(new JsonObject { ["code"] = code, ["message"] = message, ["request_id"] = Guid.NewGuid().ToString("N") }, statusCode: http);
}
