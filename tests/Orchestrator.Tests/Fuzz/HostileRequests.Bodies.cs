using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Security;

namespace Orchestrator.Tests.Fuzz;

/// <summary>The scenarios aimed at bodies: callbacks, webhook targets, batches, the simulator's protocols, sizes and raw bytes.</summary>
public sealed partial class HostileRequests
{
    /// <summary>A callback URL: with the genuine token of the found task, or a forged, missing or misplaced one.</summary>
    private string CallbackTarget(bool genuine)
    {
        var provider = Pick(["simulator", "simulator", "dmxapi", "kling", "chanjing", "nobody", "%F0%9F%90%9B", "..", "simulator%2F.."]);
        if (genuine) return $"/v1/callbacks/{provider}/{targets.TaskId}?token={targets.CallbackToken}";
        var token = targets.CallbackToken;
        var (task, query) = _random.Next(9) switch
        {
            0 => (targets.TaskId, ""),
            1 => (targets.TaskId, "?token="),
            2 => (targets.TaskId, "?token=" + token[..^2] + "AA"),
            3 => (targets.TaskId, "?token=" + token.ToUpperInvariant()),
            4 => (targets.TaskId, "?token=" + token + "&token=" + token),
            5 => (BadId(), "?token=" + token),
            6 => (targets.TaskId, "?token=" + new string('A', Pick([43, 4000]))),
            7 => (targets.TaskId, "?token=" + Uri.EscapeDataString(token + "\0")),
            _ => (targets.TaskId, "?tok=" + token),
        };
        return $"/v1/callbacks/{provider}/{task}{query}";
    }

    /// <summary>Forged tokens with any body, and the genuine token with a body that is no task object.</summary>
    private HostileRequest Callback()
    {
        const string route = "POST /v1/callbacks/{provider}/{taskId}";
        var genuine = _random.Next(3) == 0;
        var body = genuine
            ? _random.Next(3) == 0 ? Json.MalformedBody() : Utf8(Pick(["{}", "[]", "{\"task_id\":5}", "{\"task_id\":\"x\",\"task_status\":\"exploded\"}",
                "{\"data\":{}}", "{\"data\":[]}", "{\"task_status\":\"succeed\"}", "{\"task_id\":\"x\",\"task_status\":\"succeed\",\"updated_at\":\"soon\"}",
                "{\"task_id\":\"x\",\"task_status\":\"succeed\",\"task_result\":{\"images\":[{\"index\":\"a\"}]}}"]))
            : Utf8("{\"task_id\":\"x\",\"task_status\":\"succeed\",\"task_status_msg\":\"\",\"created_at\":1,\"updated_at\":2}");
        return new HostileRequest("callback-tokens", route, "POST", CallbackTarget(genuine))
        {
            Body = body, ContentType = Pick<string?>(["application/json", "text/plain", null]),
            // Callbacks need no API key; a key or a browser's headers change nothing.
            Key = Pick<string?>([null, Keys.AcmeRead]),
        };
    }

    /// <summary>Webhook targets on loopback, link-local and private addresses, at registration and in a task's <c>webhookUrl</c>.</summary>
    private HostileRequest WebhookTarget()
    {
        var url = Pick(HostileJson.RefusedUrls);
        if (_random.Next(2) == 0)
            return Post("webhook-targets", "POST /v1/webhooks", "/v1/webhooks", Utf8(new JsonObject { ["url"] = url }.ToJsonString()));
        var task = HostileJson.ValidTask();
        task["webhookUrl"] = url;
        return Post("webhook-targets", "POST /v1/tasks", "/v1/tasks", Utf8(HostileJson.Text(task)));
    }

    private HostileRequest BatchLines()
    {
        var (type, body) = Json.BrokenBatch();
        return Post("batch-lines", "POST /v1/batches", "/v1/batches" + Pick(["", "?atomic=true", "?atomic=1", "?atomic=maybe", "?atomic=true&atomic=false"]), body, type)
            with { Chunked = _random.Next(3) == 0 };
    }

    /// <summary>A Kling create body the simulator must refuse.</summary>
    private byte[] BrokenKlingBody()
    {
        var body = new JsonObject { ["model_name"] = "kling-v1-5", ["prompt"] = "a cat" };
        Pick<Action>([
            () => body.Remove("model_name"),
            () => body["model_name"] = Pick<JsonNode?>([5, "", "   ", new JsonArray()]),
            () => body["prompt"] = new string('x', 2501 + _random.Next(50_000)),
            () => body["prompt"] = Pick<JsonNode?>([5, new JsonObject(), "", " "]),
            () => body["negative_prompt"] = Pick<JsonNode?>([5, new string('n', 2501)]),
            () => body["callback_url"] = 5,
            () => body["external_task_id"] = new JsonObject(),
        ])();
        // Fields one path checks and another ignores (n, duration, camera_control …), as extras only: never the one break.
        if (_random.Next(3) == 0) body[Pick(["n", "aspect_ratio", "duration", "cfg_scale", "camera_control"])] = Pick<JsonNode?>([0, "7", -1, "spin"]);
        return _random.Next(4) == 0 ? Json.MalformedBody() : Utf8(body.ToJsonString());
    }

    /// <summary>One of the simulator's JSON routes with <paramref name="body"/>, and a key it takes or not.</summary>
    private HostileRequest SimulatorJson(string scenario, byte[] body)
    {
        var route = Pick(Routes.Where(r => r.StartsWith("POST " + Sim, StringComparison.Ordinal) && !r.Contains("/_sim/")).ToList());
        var target = route[5..];
        var headers = route.Contains("/open/")
            ? new KeyValuePair<string, string>[] { new("access_token", Pick(["", "x", "eyJhbGciOiJub25lIn0.e30.", new string('t', 3000)])) }
            : [new("Authorization", Pick(["Bearer sim-key", "Bearer sim-key", "Bearer x", "Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJzaW0ifQ.", ""]))];
        return new HostileRequest(scenario, route, "POST", target) { Body = body, ContentType = "application/json", Headers = headers };
    }

    /// <summary>A Kling task query (by path) with a bad id, and a key the simulator takes or not.</summary>
    private HostileRequest KlingQuery(string scenario, string id)
    {
        var route = $"GET {Sim}{Pick(["", "/kling"])}{Pick(KlingPaths)}/{{id}}";
        return new HostileRequest(scenario, route, "GET", route[4..].Replace("{id}", id))
        {
            Headers = [new("Authorization", Pick(["Bearer sim-key", "Bearer x", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"]))],
        };
    }

    /// <summary>Every simulator route: refused credentials, bodies and queries; control routes with arguments they refuse.</summary>
    private HostileRequest Simulator()
    {
        switch (_random.Next(9))
        {
            case 0: return SimulatorJson("simulator", BrokenKlingBody());
            case 1: return KlingQuery("simulator", BadId());
            case 2:
                var list = $"GET {Sim}{Pick(["", "/kling"])}{Pick(KlingPaths)}";
                return new HostileRequest("simulator", list, "GET", list[4..] + Pick(["", "?pageNum=0", "?pageSize=501", "?external_task_id=" + BadId(), "?pageNum=%D9%A1"]))
                {
                    Headers = [new("Authorization", Pick(["Bearer sim-key", "Bearer x", "Bearer", "sim-key"]))],
                };
            case 3:
                var token = new JsonObject { ["app_id"] = Pick<JsonNode?>(["nobody", "", 5, null]), ["secret_key"] = Pick<JsonNode?>(["x", new JsonArray()]) };
                return Post("simulator", $"POST {Sim}/open/v1/access_token", $"{Sim}/open/v1/access_token", _random.Next(3) == 0 ? Json.MalformedBody() : Utf8(token.ToJsonString()));
            case 4:
                var page = Pick(["/open/v1/ai_creation/task/submit", "/open/v1/ai_creation/task/page"]);
                return SimulatorJson("simulator", Utf8("{\"unique_ids\":[1,2],\"page\":0}")) with { Route = $"POST {Sim}{page}", Target = Sim + page };
            case 5:
                return new HostileRequest("simulator", $"GET {Sim}/open/v1/ai_creation/task", "GET", $"{Sim}/open/v1/ai_creation/task?unique_id={BadId()}")
                {
                    Headers = [new("access_token", Pick(["", "x", "Bearer sim-key"]))],
                };
            case 6:
                var stats = _random.Next(2) == 0 ? $"{Sim}/_sim/stats" : $"{Sim}/_sim/stats/{Pick(["nobody", "simulator", "..", "%00", BadId()])}";
                return new HostileRequest("simulator", stats.EndsWith("/stats") ? $"GET {Sim}/_sim/stats" : $"GET {Sim}/_sim/stats/{{account}}", "GET", stats);
            case 7:
                // An outage with arguments it must refuse (or for an account that does not exist): never a real outage.
                var outage = Pick([
                    "", "?kind=Unavailable", "?kind=Bogus&seconds=5", "?kind=Unavailable&seconds=abc", "?kind=Unavailable&seconds=-1",
                    "?kind=RateLimit&seconds=1e300", "?kind=Unavailable&seconds=NaN", "?kind=Unavailable&seconds=86401",
                    "?kind=Unavailable&seconds=5&account=nobody", "?kind=%00&seconds=1",
                ]);
                return new HostileRequest("simulator", $"POST {Sim}/_sim/outage", "POST", $"{Sim}/_sim/outage{outage}");
            default:
                // Fault injection with arguments it must refuse: never a fault that would really be injected.
                var query = Pick([
                    "", "?kind=Bogus&count=1", "?kind=ServerError", "?kind=ServerError&count=abc", "?kind=ServerError&count=-1",
                    "?kind=Timeout&count=2000000000", "?kind=RateLimit&count=99999999999", "?kind=ServerError&count=1&target=Nowhere",
                    "?kind=ServerError&count=1&account=nobody", "?kind=ServerError&count=1&account=x&target=ResultFiles", "?kind=%00&count=1",
                ]);
                return new HostileRequest("simulator", $"POST {Sim}/_sim/faults", "POST", $"{Sim}/_sim/faults{query}");
        }
    }

    /// <summary>A body past the route's limit, sent whole, chunked, or announced by its length and never sent.</summary>
    private HostileRequest HugeBody()
    {
        var route = Pick(Routes);
        var request = AtRoute("huge-bodies", route);
        // The limits of docs/reliability.md's table (RequestBodyLimits).
        var limit = route switch
        {
            "POST /v1/tasks" or "POST /v1/webhooks" => 1024 * 1024,
            "POST /v1/callbacks/{provider}/{taskId}" => 256 * 1024,
            _ when route.Contains(Sim) => 1024 * 1024,
            _ => 64 * 1024,
        };
        if (route == "POST /v1/batches")
        {
            // 256 MiB is too much to send: announce it, or send one line past the line limit.
            return _random.Next(2) == 0
                ? request with { Wire = RawHead("POST", "/v1/batches", "application/x-ndjson", $"Content-Length: {300L * 1024 * 1024}\r\nExpect: 100-continue", []) }
                : request with { Body = Utf8("{\"prompt\":\"" + new string('x', 300 * 1024) + "\"}\n{}"), ContentType = "application/x-ndjson", Chunked = _random.Next(2) == 0 };
        }
        if (_random.Next(4) == 0)
            return request with { Wire = RawHead(request.Method, request.Target, "application/json", $"Content-Length: {Pick([limit + 1L, 10L * 1024 * 1024 * 1024, long.MaxValue])}", []) };
        var size = limit + 1 + _random.Next(Pick([1, 1024, 512 * 1024]));
        var body = Utf8("{\"prompt\":\"" + new string('x', size) + "\"}");
        return request with { Body = body, ContentType = request.ContentType ?? "application/json", Chunked = _random.Next(3) == 0 };
    }

    private WireExchange RawHead(string method, string target, string? contentType, string extraHeaders, byte[] body, WirePace pace = WirePace.AtOnce)
    {
        var head = $"{method} {target} HTTP/1.1\r\nHost: {targets.Authority}\r\nAuthorization: Bearer {Keys.Admin}\r\n"
            + (contentType is null ? "" : $"Content-Type: {contentType}\r\n") + (extraHeaders.Length > 0 ? extraHeaders + "\r\n" : "") + "\r\n";
        return new WireExchange(Encoding.Latin1.GetBytes(head), body, pace);
    }
}
