using System.Text.Json.Nodes;
using Orchestrator.Tests.Security;

namespace Orchestrator.Tests.Fuzz;

/// <summary>The drop-in relay's routes: credentials that are not ours, bodies to refuse, bad ids, pages and result tokens.</summary>
public sealed partial class HostileRequests
{
    private HostileRequest Relay()
    {
        var prefix = Pick(["", "/kling"]);
        var path = Pick(KlingPaths);
        // A credential the relay must refuse, or a genuine one (the body or the id is what is wrong then).
        KeyValuePair<string, string> Authorization() => new("Authorization", Pick([
            "Bearer " + Keys.AcmeSubmit, "Bearer sk-not-ours", "Bearer", "", Keys.AcmeSubmit, "Bearer a.b.c", "Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJhY21lLWFwcCJ9.",
            "Bearer " + new string('k', 5000), "Bearer %00",
        ]));
        switch (_random.Next(9))
        {
            case 0:
            case 1:
                // Every create body here is refused: malformed, or our own task schema (no model_name), or a read key's.
                var body = _random.Next(2) == 0 ? Json.MalformedBody() : Utf8(HostileJson.Text(Json.Broken()));
                return new HostileRequest("relay", $"POST {prefix}{path}", "POST", prefix + path) { Body = body, ContentType = "application/json", Headers = [Authorization()] };
            case 2:
                return new HostileRequest("relay", $"GET {prefix}{path}/{{id}}", "GET", $"{prefix}{path}/{BadId()}") { Headers = [Authorization()] };
            case 3:
                return new HostileRequest("relay", $"GET {prefix}{path}", "GET",
                    prefix + path + Pick(["", "?pageNum=0", "?pageSize=501", "?pageNum=1001", "?external_task_id=" + BadId(), "?pageNum=%D9%A1", "?pageSize=-1&pageNum=x"]))
                {
                    Headers = [Authorization()],
                };
            case 4:
                var token = new JsonObject { ["app_id"] = Pick<JsonNode?>(["acme-app", "nobody", "", 5, null]), ["secret_key"] = Pick<JsonNode?>(["x", Keys.GlobexSubmit, new JsonArray()]) };
                return Post("relay", "POST /open/v1/access_token", "/open/v1/access_token", _random.Next(3) == 0 ? Json.MalformedBody() : Utf8(token.ToJsonString())) with { Key = null };
            case 5:
                var write = Pick(["/open/v1/ai_creation/task/submit", "/open/v1/ai_creation/task/page"]);
                return new HostileRequest("relay", "POST " + write, "POST", write)
                {
                    Body = Pick([Json.MalformedBody(), Utf8("{\"unique_ids\":[1,2],\"page\":0}"), Utf8("{\"creation_type\":3,\"model_code\":\"kling-v2-1\",\"ref_prompt\":\"x\"}")]),
                    ContentType = "application/json",
                    Headers = [new("access_token", Pick(["", "x", "Bearer " + Keys.AcmeSubmit, new string('t', 48)]))],
                };
            case 6:
                return new HostileRequest("relay", "GET /open/v1/ai_creation/task", "GET", $"/open/v1/ai_creation/task?unique_id={BadId()}")
                {
                    Headers = [new("access_token", Pick(["", "x", Keys.AcmeSubmit]))],
                };
            default:
                return new HostileRequest("relay", "GET /relay/results/{token}", "GET", "/relay/results/" + Pick([
                    BadId(), "CfDJ8" + new string('A', 120), "%00", "..%2F..%2Fjournal.db", new string('a', 4000), "CfDJ8-_-_", targets.TaskId + "%2F0",
                ]));
        }
    }
}
