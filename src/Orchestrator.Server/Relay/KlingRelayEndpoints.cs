using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Server.Api;
using Orchestrator.Server.Security;
using Orchestrator.Simulator;
using static Orchestrator.Server.Relay.KlingRelayAnswers;

namespace Orchestrator.Server.Relay;

/// <summary>
/// Kling's task API served by us, twice: DMXAPI style under <c>/kling/v1/…</c> with our API key as the bearer token,
/// and the official style under <c>/v1/…</c> with an HS256 JWT signed with our API key (docs/relay.md). Create, query
/// by our task id or by the client's <c>external_task_id</c> (path segment or <c>?external_task_id=</c>), and the
/// list (<c>pageNum</c>, <c>pageSize</c>).
/// </summary>
internal static class KlingRelayEndpoints
{
    private static readonly string[] CreatePaths = [KlingValidation.Images, KlingValidation.TextToVideo, KlingValidation.ImageToVideo];

    /// <summary>Who is calling, or Kling's answer refusing the call.</summary>
    private delegate (ApiCaller? Caller, IResult? Refusal) Authenticate(HttpContext http);

    public static void Map(IEndpointRouteBuilder app, RelayOptions options)
    {
        foreach (var path in CreatePaths)
        {
            MapPath(app, RelayStyle.Dmxapi, options.Dmxapi.Account, "/kling", path, Bearer);
            MapPath(app, RelayStyle.Kling, options.Kling.Account, "", path, Jwt);
        }
    }

    private static void MapPath(IEndpointRouteBuilder app, RelayStyle style, string account, string prefix, string path, Authenticate auth)
    {
        app.MapPost(prefix + path, (HttpContext http, RelayTasks tasks, RelayResultLinks links) => Create(http, tasks, links, auth, style, account, path))
            .AllowWithoutApiKey().WithBodyLimit(RequestBodyLimits.JsonObjectBytes);
        app.MapGet(prefix + path + "/{id}", (HttpContext http, string id, RelayTasks tasks, RelayResultLinks links) => Query(http, tasks, links, auth, id))
            .AllowWithoutApiKey();
        app.MapGet(prefix + path, (HttpContext http, RelayTasks tasks, RelayResultLinks links) =>
                http.Request.Query["external_task_id"].ToString() is { Length: > 0 } external
                    ? Query(http, tasks, links, auth, external)
                    : List(http, tasks, links, auth, style, path))
            .AllowWithoutApiKey();
    }

    private static (ApiCaller?, IResult?) Bearer(HttpContext http) =>
        http.RequestServices.GetRequiredService<RelayCallers>().ByBearer(http.Request.Headers.Authorization.ToString()) is { } caller
            ? (caller, null)
            : (null, Error(401, 1000, "authentication failed"));

    private static (ApiCaller?, IResult?) Jwt(HttpContext http)
    {
        var (caller, code, message) = http.RequestServices.GetRequiredService<RelayCallers>()
            .ByJwt(http.Request.Headers.Authorization.ToString(), http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        return caller is not null ? (caller, null) : (null, Error(401, code == 0 ? 1000 : code, code == 0 ? "authentication failed" : message));
    }

    private static async Task<IResult> Create(HttpContext http, RelayTasks tasks, RelayResultLinks links, Authenticate auth, RelayStyle style, string account, string path)
    {
        var (caller, refused) = auth(http);
        if (caller is null) return refused!;
        if (await RequestJson.ReadObjectAsync(http.Request) is not { } body) return Error(400, 1200, "request body must be a JSON object");
        var (submission, problem) = RelaySubmissions.FromKling(style, account, path, body);
        if (submission is null) return Error(400, 1201, problem!);
        var (view, refusal) = await tasks.SubmitAsync(submission, caller, style, http.RequestAborted);
        return view is null ? Refused(refusal!) : Ok(TaskObject(view, links, RelayResultLinks.BaseOf(http.Request)));
    }

    private static async Task<IResult> Query(HttpContext http, RelayTasks tasks, RelayResultLinks links, Authenticate auth, string id)
    {
        var (caller, refused) = auth(http);
        if (caller is null) return refused!;
        if (await tasks.FindAsync(id, caller, http.RequestAborted) is not { } view) return NotFound();
        view = await tasks.HoldAsync(view, http.RequestAborted);
        return Ok(TaskObject(view, links, RelayResultLinks.BaseOf(http.Request)));
    }

    private static async Task<IResult> List(HttpContext http, RelayTasks tasks, RelayResultLinks links, Authenticate auth, RelayStyle style, string path)
    {
        var (caller, refused) = auth(http);
        if (caller is null) return refused!;
        if (!PageParameter(http, "pageNum", 1, 1000, out var pageNum)) return Error(400, 1201, "pageNum must be an integer in [1, 1000]");
        if (!PageParameter(http, "pageSize", 30, 500, out var pageSize)) return Error(400, 1201, "pageSize must be an integer in [1, 500]");
        var kind = path == KlingValidation.Images ? "text-to-image" : path == KlingValidation.TextToVideo ? "text-to-video" : "image-to-video";
        var (items, _) = await tasks.PageAsync(caller, style, kind, pageNum, pageSize, http.RequestAborted);
        var baseUrl = RelayResultLinks.BaseOf(http.Request);
        return Ok(new JsonArray([.. items.Select(v => (JsonNode)TaskObject(v, links, baseUrl))]));
    }

    private static bool PageParameter(HttpContext http, string name, int fallback, int max, out int value)
    {
        var raw = http.Request.Query[name].ToString();
        value = fallback;
        return raw.Length == 0 || (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= max);
    }
}
