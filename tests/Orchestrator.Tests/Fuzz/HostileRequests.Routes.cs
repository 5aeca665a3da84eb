using System.Text;
using Orchestrator.Tests.Security;

namespace Orchestrator.Tests.Fuzz;

/// <summary>The scenarios aimed at ids, queries, keys, headers and methods of every route.</summary>
public sealed partial class HostileRequests
{
    private static readonly string[] BadIds =
    [
        "..", "../..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "%00", "%ZZ", "%", "a%2Fb", "%F0%9F%90%9B", "%C0%AE%C0%AE", "%FF%FE", "CON", "NUL",
        "'%20OR%201=1%20--", "%7Bid%7D", "$(reboot)", "%3Cscript%3E", "%20", "-1", "0", "00000000000000000000000000000000", "task-x",
        "ffffffffffffffffffffffffffffffff", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "0x1", "1e9", "null", "undefined", "%u0000", "~", ".",
    ];

    /// <summary>A bad id, or the found task's id mangled (upper case, one character off, a suffix).</summary>
    private string BadId() => _random.Next(5) switch
    {
        0 => targets.TaskId.ToUpperInvariant(),
        1 => targets.TaskId[..^1] + "g",
        2 => targets.TaskId + Pick(["%00", ".", "%20", "%2F..", "x"]),
        3 => new string('a', Pick([33, 500, 4000])),
        _ => Pick(BadIds),
    };

    /// <summary>A route with an id in its path, at a bad id; some at the found task's or batch's id where that is harmless (reads).</summary>
    private HostileRequest PathTrick()
    {
        var id = BadId();
        var read = new HostileRequest("path-tricks", "", "GET", "") { Key = Keys.Admin };
        return _random.Next(16) switch
        {
            0 => read with { Route = "GET /v1/tasks/{id}", Target = "/v1/tasks/" + id },
            1 => read with { Route = "DELETE /v1/tasks/{id}", Method = "DELETE", Target = "/v1/tasks/" + id },
            2 => read with { Route = "GET /v1/tasks/{id}/results/{index}", Target = $"/v1/tasks/{Pick([id, targets.TaskId])}/results/{Pick(["-1", "1", "99999999999", "0x0", "1e2", "%D9%A1", "..%2F..%2Fjournal.db", "%2e%2e", "0%00", "+1", " 0".Replace(" ", "%20")])}" },
            3 => read with { Route = "GET /v1/batches/{id}", Target = "/v1/batches/" + id },
            4 => read with { Route = "GET /v1/batches/{id}/results", Target = "/v1/batches/" + id + "/results" },
            5 => read with { Route = "DELETE /v1/batches/{id}", Method = "DELETE", Target = "/v1/batches/" + Pick([id, targets.BatchId]) },
            6 => read with { Route = "GET /v1/webhooks/{id}", Target = "/v1/webhooks/" + Pick([id, "task-webhooks", "task-secret%2F.."]) },
            7 => read with { Route = "DELETE /v1/webhooks/{id}", Method = "DELETE", Target = "/v1/webhooks/" + Pick([id, "task-webhooks"]) },
            8 => read with { Route = "POST /v1/webhooks/{id}/enable", Method = "POST", Target = $"/v1/webhooks/{id}/enable" },
            9 => read with { Route = "GET /v1/webhooks/{id}/deliveries", Target = $"/v1/webhooks/{Pick([id, "task-webhooks"])}/deliveries?state={Pick(["pending", "failed", "all", "%00", ""])}" },
            10 => read with { Route = "POST /v1/webhooks/{id}/deliveries/{eventId}/replay", Method = "POST", Target = $"/v1/webhooks/{id}/deliveries/{BadId()}/replay" },
            11 => read with { Route = "POST /v1/webhooks/{id}/replay", Method = "POST", Target = $"/v1/webhooks/{id}/replay" },
            13 => read with { Route = "GET /v1/tasks/{id}/timeline", Target = $"/v1/tasks/{id}/timeline" },
            // Bad ids only: a retry of the seeded batch would store a new batch.
            14 => read with { Route = "POST /v1/batches/{id}/retry", Method = "POST", Target = $"/v1/batches/{id}/retry" },
            12 => read with { Route = $"GET {Sim}/files/{{taskId}}/{{file}}", Target = $"{Sim}/files/{id}/{Pick(["0.png", "..%2F..%2Fjournal.db", "%2e%2e", "0.mp4%00.png", id])}" },
            _ => KlingQuery("path-tricks", id),
        };
    }

    /// <summary>Query parameters of the list and stream routes, out of range or of the wrong kind.</summary>
    private HostileRequest QueryValues()
    {
        string Value() => Pick(["-1", "0", "501", "abc", "1e3", "%D9%A1", "99999999999999999999", "", "%00", "1,2", "true", "%27%20OR%201=1--",
            new string('9', 2000), "succeeded", "SUCCEEDED", "timed_out", "start", "now"]);
        return _random.Next(6) switch
        {
            4 => new HostileRequest("query-values", "GET /v1/tasks/counts", "GET", $"/v1/tasks/counts?hours={Value()}&tenant={Value()}") { Key = Keys.Admin },
            5 => new HostileRequest("query-values", "GET /v1/batches", "GET", $"/v1/batches?limit={Value()}") { Key = Keys.Admin },
            0 or 1 => new HostileRequest("query-values", "GET /v1/tasks", "GET",
                $"/v1/tasks?limit={Value()}&status={Value()}&after={Pick([Value(), targets.TaskId, BadId()])}&provider={Value()}&tenant={Value()}&batch={Pick([Value(), BadId(), targets.BatchId])}&limit={Value()}") { Key = Keys.Admin },
            2 => new HostileRequest("query-values", "GET /v1/webhooks/{id}/deliveries", "GET", $"/v1/webhooks/task-webhooks/deliveries?state={Value()}") { Key = Keys.Admin },
            _ => new HostileRequest("query-values", $"GET {Sim}/kling{KlingPaths[0]}", "GET", $"{Sim}/kling{KlingPaths[0]}?pageNum={Value()}&pageSize={Value()}")
            {
                Headers = [new("Authorization", "Bearer sim-key")],
            },
        };
    }

    /// <summary>
    /// <c>GET /v1/events</c> with positions that are not event ids (a 400 at once), and now and then a valid one whose
    /// stream is opened and left: its status must come at once, the stream itself never ends.
    /// </summary>
    private HostileRequest LastEventId()
    {
        var request = new HostileRequest("last-event-id", "GET /v1/events", "GET", "/v1/events") { Key = Keys.Admin, Streams = true };
        string Bad() => Pick(["-1", "1.5", "abc", "99999999999999999999", " 5", "5 ", "+5", "0x10", "%D9%A1", "١", "5,6", "", "NaN", "1e3", "9223372036854775808"]);
        return _random.Next(6) switch
        {
            0 => request with { Headers = [new("Last-Event-ID", Bad() is { Length: > 0 } b ? b : "x")] },
            1 => request with { Target = "/v1/events?after=" + Uri.EscapeDataString(Bad()) + "&x" },
            2 => request with { Target = "/v1/events?from=" + Pick(["begin", "0", "START", "start&after=1", "now&after=5", "%00"]) },
            3 => request with { Target = "/v1/events?status=" + Pick(["queued", "processing", "succeeded,bogus", "SUCCEEDED", ",", "%00"]) },
            4 => request with { Target = "/v1/events?tenant=acme", Key = Keys.AcmeRead is var k && _random.Next(2) == 0 ? k : Keys.AcmeSubmit, Headers = [new("Last-Event-ID", "x")] },
            // Valid: offsets far past the end, or from the start, filtered to nothing.
            _ => request with { Target = Pick(["/v1/events?after=9223372036854775807", "/v1/events?from=start&provider=nobody", "/v1/events?status=failed&batch=x"]) },
        };
    }

    /// <summary>Any route with a missing, wrong or too weak key (the server's routes need one; its open routes do not care).</summary>
    private HostileRequest BadAuth()
    {
        var route = Pick(Routes.Where(r => r.Contains(" /v1/") && !r.Contains("/callbacks/")).ToList());
        var request = AtRoute("bad-auth", route);
        var write = request.Writes;
        return _random.Next(5) switch
        {
            0 => request with { Key = null },
            1 => request with { Key = Pick(["wrong", Keys.Admin + "x", Keys.Admin[..^1], "", new string('k', 5000), "admin-key-0123456789abcde\u00e9"]) },
            2 => request with { Key = null, Headers = [new("Authorization", Pick(["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer ", "Token " + Keys.Admin, Keys.Admin, "Bearer\t", "Digest x"]))] },
            // Keys of too low a role: read on writes, a tenant's submit key on the admin routes.
            _ when write => request with { Key = Keys.AcmeRead },
            _ => route.Contains("/admin/") || route.Contains("task-secret") ? request with { Key = Keys.AcmeSubmit } : request with { Key = "x" },
        };
    }

    /// <summary>A request at <paramref name="route"/> whose ids are bad and whose body, for a write, is one to refuse.</summary>
    private HostileRequest AtRoute(string scenario, string route)
    {
        var space = route.IndexOf(' ');
        var method = route[..space];
        var target = route[(space + 1)..].Replace("{id}", BadId()).Replace("{index}", "0").Replace("{eventId}", "e").Replace("{provider}", "simulator")
            .Replace("{taskId}", targets.TaskId).Replace("{file}", "0.png").Replace("{account}", "nobody")
            .Replace("{documentName}", Pick(["v1", "v2", "..%2F..%2Fjournal", "%00"])).Replace("{documentName?}", Pick(["v1", "", "scalar.js", "%2e%2e"]));
        var request = new HostileRequest(scenario, route, method, target) { Key = Keys.Admin };
        if (method != "POST") return request;
        var (type, body) = route switch
        {
            "POST /v1/tasks" => ("application/json", Utf8(HostileJson.Text(Json.Broken()))),
            "POST /v1/webhooks" => ("application/json", Utf8(Json.BrokenRegistration())),
            "POST /v1/batches" => Json.BrokenBatch(),
            _ => ("application/json", Json.MalformedBody()),
        };
        return request with { Body = body, ContentType = type };
    }

    /// <summary>Requests a web page of another site could make.</summary>
    private HostileRequest CrossSite()
    {
        var request = AtRoute("cross-site", Pick(Routes.Where(r => r.Contains(" /v1/") && !r.Contains("/callbacks/")).ToList()));
        return request with
        {
            Headers = _random.Next(3) == 0
                ? [new("Sec-Fetch-Site", Pick(["cross-site", "same-site"]))]
                : [new("Origin", Pick(["http://evil.example", "null", $"http://{targets.Authority}.evil.example", "https://" + targets.Authority, "file://"]))],
            ContentType = request.Body is null ? null : Pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]),
        };
    }

    /// <summary>The JSON routes with bodies of another media type, or a malformed one.</summary>
    private HostileRequest ContentType()
    {
        var request = AtRoute("content-type", Pick(["POST /v1/tasks", "POST /v1/webhooks", "POST /v1/batches"]));
        return request with
        {
            ContentType = Pick<string?>([null, "text/plain", "text/plain; x=ndjson", "application/x-www-form-urlencoded", "application/xml", "json",
                "application/json; charset=\"", "application/", "/json", "application/json, text/plain", "*/*", "application/jsonx", "application/ndjsonx+xml"]),
        };
    }

    /// <summary>Methods the route does not map, including ones no route maps.</summary>
    private HostileRequest WrongMethod()
    {
        var request = AtRoute("wrong-method", Pick(Routes));
        var method = Pick(["PUT", "PATCH", "OPTIONS", "TRACE", "HEAD", "PROPFIND", "FOO", request.Method == "GET" ? "DELETE" : "GET"]);
        // A GET or DELETE route at the same path may exist: keep the ids bad, so that what it answers is a 404.
        return request with { Method = method };
    }
}
