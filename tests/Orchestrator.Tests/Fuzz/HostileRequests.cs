using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Security;

namespace Orchestrator.Tests.Fuzz;

/// <summary>What exists on the fuzzed server, so that requests also reach the code behind a found id.</summary>
/// <param name="TaskId">An ended task.</param>
/// <param name="BatchId">An ended batch.</param>
/// <param name="CallbackToken">The genuine callback token of <paramref name="TaskId"/>.</param>
/// <param name="Authority">The server's <c>host:port</c>, for raw requests.</param>
public sealed record FuzzTargets(string TaskId, string BatchId, string CallbackToken, string Authority);

/// <summary>
/// A deterministic (seeded) generator of adversarial requests at every mapped route of the server and its in-process
/// simulator. Every write it makes is one the server must refuse (bad body, bad key, bad token, wrong method …); reads
/// may succeed. <see cref="Routes"/> lists the routes it aims at, which the test compares with the server's own list.
/// </summary>
public sealed partial class HostileRequests(int seed, FuzzTargets targets)
{
    /// <summary>The scenarios, each with its share of the requests.</summary>
    public static readonly (string Name, int Weight)[] Scenarios =
    [
        ("malformed-json", 12), ("deep-nesting", 5), ("wrong-types", 12), ("huge-strings", 7), ("huge-bodies", 2), ("unicode", 8),
        ("path-tricks", 10), ("query-values", 6), ("last-event-id", 5), ("bad-auth", 6), ("cross-site", 3), ("content-type", 4),
        ("wrong-method", 4), ("callback-tokens", 6), ("webhook-targets", 6), ("batch-lines", 6), ("simulator", 6), ("wire", 2), ("relay", 6),
    ];

    private const string Sim = "/simulator";
    private static readonly string[] KlingPaths = ["/v1/images/generations", "/v1/videos/text2video", "/v1/videos/image2video"];

    /// <summary>Every route the generator aims at, as <c>METHOD /pattern</c>.</summary>
    public static IReadOnlyList<string> Routes { get; } =
    [
        "GET /healthz", "GET /readyz", "GET /openapi/{documentName}.json", "GET /reference/{documentName?}",
        "GET /reference/scalar.js", "GET /reference/scalar.aspnetcore.js", "GET /reference/favicon.svg", "GET /v1/providers", "GET /v1/admin/stuck", "GET /v1/events",
        "POST /v1/tasks", "GET /v1/tasks", "GET /v1/tasks/{id}", "DELETE /v1/tasks/{id}", "GET /v1/tasks/{id}/results/{index}",
        "GET /v1/tasks/counts", "GET /v1/tasks/{id}/timeline",
        "POST /v1/batches", "GET /v1/batches", "GET /v1/batches/{id}", "GET /v1/batches/{id}/results", "DELETE /v1/batches/{id}",
        "POST /v1/batches/{id}/retry",
        "POST /v1/webhooks", "GET /v1/webhooks", "GET /v1/webhooks/task-secret", "GET /v1/webhooks/{id}", "DELETE /v1/webhooks/{id}",
        "POST /v1/webhooks/{id}/enable", "GET /v1/webhooks/{id}/deliveries", "POST /v1/webhooks/{id}/deliveries/{eventId}/replay",
        "POST /v1/webhooks/{id}/replay", "POST /v1/callbacks/{provider}/{taskId}",
        .. KlingPaths.SelectMany(p => new[] { "", "/kling" }.SelectMany(prefix => new[]
        {
            $"POST {Sim}{prefix}{p}", $"GET {Sim}{prefix}{p}", $"GET {Sim}{prefix}{p}/{{id}}",
        })),
        $"POST {Sim}/open/v1/access_token", $"POST {Sim}/open/v1/ai_creation/task/submit", $"GET {Sim}/open/v1/ai_creation/task",
        $"POST {Sim}/open/v1/ai_creation/task/page", $"GET {Sim}/files/{{taskId}}/{{file}}",
        $"GET {Sim}/_sim/stats", $"GET {Sim}/_sim/stats/{{account}}", $"POST {Sim}/_sim/faults", $"POST {Sim}/_sim/outage",
        // The drop-in relay: the providers' own APIs, served by the server itself.
        .. KlingPaths.SelectMany(p => new[] { "", "/kling" }.SelectMany(prefix => new[] { $"POST {prefix}{p}", $"GET {prefix}{p}", $"GET {prefix}{p}/{{id}}" })),
        "POST /open/v1/access_token", "POST /open/v1/ai_creation/task/submit", "GET /open/v1/ai_creation/task", "POST /open/v1/ai_creation/task/page",
        "GET /relay/results/{token}",
    ];

    private readonly Random _random = new(seed);
    private HostileJson Json => _json ??= new HostileJson(_random);
    private HostileJson? _json;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>The first <paramref name="count"/> requests of this seed.</summary>
    public IEnumerable<HostileRequest> Take(int count)
    {
        var total = Scenarios.Sum(s => s.Weight);
        for (var i = 0; i < count; i++)
        {
            var roll = _random.Next(total);
            var scenario = Scenarios.First(s => (roll -= s.Weight) < 0).Name;
            yield return Make(scenario);
        }
    }

    private HostileRequest Make(string scenario) => scenario switch
    {
        "malformed-json" => JsonBody(scenario, () => Json.MalformedBody()),
        "deep-nesting" => JsonBody(scenario, () => Encoding.UTF8.GetBytes(Json.DeeplyNested())),
        "wrong-types" or "huge-strings" or "unicode" when _random.Next(4) == 0 => Unicode(scenario),
        "wrong-types" or "huge-strings" or "unicode" => TaskLike(scenario),
        "huge-bodies" => HugeBody(),
        "path-tricks" => PathTrick(),
        "query-values" => QueryValues(),
        "last-event-id" => LastEventId(),
        "bad-auth" => BadAuth(),
        "cross-site" => CrossSite(),
        "content-type" => ContentType(),
        "wrong-method" => WrongMethod(),
        "callback-tokens" => Callback(),
        "webhook-targets" => WebhookTarget(),
        "batch-lines" => BatchLines(),
        "simulator" => Simulator(),
        "wire" => Wire(),
        "relay" => Relay(),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private HostileRequest Post(string scenario, string route, string target, byte[] body, string contentType = "application/json") =>
        new(scenario, route, "POST", target) { Body = body, ContentType = contentType, Key = Keys.Admin };

    /// <summary>A body for one of the JSON routes (the server's and the simulator's).</summary>
    private HostileRequest JsonBody(string scenario, Func<byte[]> body)
    {
        var b = body();
        return _random.Next(8) switch
        {
            0 => Post(scenario, "POST /v1/webhooks", "/v1/webhooks", b),
            1 => Post(scenario, "POST /v1/batches", "/v1/batches", b, Pick(["application/json", "application/x-ndjson"])),
            2 => Post(scenario, "POST /v1/callbacks/{provider}/{taskId}", CallbackTarget(genuine: true), b),
            3 => SimulatorJson(scenario, b),
            _ => Post(scenario, "POST /v1/tasks", "/v1/tasks", b),
        };
    }

    private HostileRequest TaskLike(string scenario)
    {
        var task = Json.Broken();
        if (scenario == "huge-strings" || _random.Next(3) == 0) task["prompt"] = new string('x', 2501 + _random.Next(Pick([10, 5000, 500_000])));
        return _random.Next(6) switch
        {
            0 => Post(scenario, "POST /v1/batches", "/v1/batches", Utf8(HostileJson.Text(task) + "\n" + HostileJson.Text(Json.Broken())), "application/x-ndjson"),
            1 => Post(scenario, "POST /v1/webhooks", "/v1/webhooks", Utf8(Json.BrokenRegistration())),
            _ => Post(scenario, "POST /v1/tasks", "/v1/tasks", Utf8(HostileJson.Text(task))),
        };
    }

    /// <summary>Unicode where a name, an id or a header is expected.</summary>
    private HostileRequest Unicode(string scenario)
    {
        var text = Uri.EscapeDataString(Pick(HostileJson.Unicode).Replace("\\", ""));
        return _random.Next(5) switch
        {
            0 => new HostileRequest(scenario, "GET /v1/tasks/{id}", "GET", "/v1/tasks/" + text) { Key = Keys.Admin },
            1 => new HostileRequest(scenario, "GET /v1/tasks", "GET", $"/v1/tasks?provider={text}&status={text}") { Key = Keys.Admin },
            2 => new HostileRequest(scenario, "GET /v1/webhooks/{id}", "GET", "/v1/webhooks/" + text) { Key = Keys.Admin },
            3 => new HostileRequest(scenario, "POST /v1/tasks", "POST", "/v1/tasks")
            {
                Body = Utf8(HostileJson.Text(Json.Broken())), ContentType = "application/json; charset=" + Pick(["utf-16", "latin1", "x-ünïcode", "utf-8"]), Key = Keys.Admin,
                Headers = [new("Idempotency-Key", "ключ"), new("X-Request-Id", text)],
            },
            _ => new HostileRequest(scenario, "DELETE /v1/batches/{id}", "DELETE", "/v1/batches/" + text) { Key = Keys.Admin },
        };
    }
}
