using System.Text.Json.Nodes;
using Orchestrator.Server.Api;
using Orchestrator.Server.Security;
using static Orchestrator.Server.Relay.ChanjingRelayAnswers;
using static Orchestrator.Simulator.RequestJson;

namespace Orchestrator.Server.Relay;

/// <summary>
/// Chanjing's open API served by us (docs/relay.md): <c>access_token</c> for <c>app_id</c> = an API key's name and
/// <c>secret_key</c> = the key (a new token invalidates the previous, as Chanjing does), then ai_creation submit, query
/// and page query behind the <c>access_token</c> header.
/// </summary>
internal static class ChanjingRelayEndpoints
{
    private const int MaxPageIds = 50;
    private const int DefaultPageSize = 10;

    public static void Map(IEndpointRouteBuilder app, RelayOptions options)
    {
        app.MapPost("/open/v1/access_token", Token).AllowWithoutApiKey().WithBodyLimit(RequestBodyLimits.JsonObjectBytes);
        app.MapPost("/open/v1/ai_creation/task/submit", (HttpContext http, RelayTasks tasks, RelayResultLinks links) => Submit(http, tasks, options.Chanjing.Account))
            .AllowWithoutApiKey().WithBodyLimit(RequestBodyLimits.JsonObjectBytes);
        app.MapGet("/open/v1/ai_creation/task", Query).AllowWithoutApiKey();
        app.MapPost("/open/v1/ai_creation/task/page", Page).AllowWithoutApiKey().WithBodyLimit(RequestBodyLimits.JsonObjectBytes);
    }

    private static async Task<IResult> Token(HttpContext http, RelayCallers callers, ChanjingRelayTokens tokens)
    {
        if (await ReadObjectAsync(http.Request) is not { } body) return Error(BadFormat, "传入参数格式错误");
        TryString(body["app_id"], out var appId);
        TryString(body["secret_key"], out var secret);
        // 40000, not 10400: a client refreshes its token on 10400, and the token request answering it would loop.
        if (callers.ByAppSecret(appId, secret) is not { } caller) return Error(BadParameter, "参数错误: app_id or secret_key is wrong");
        var (token, expiresAt) = tokens.Issue(appId, caller);
        return Ok(new JsonObject { ["access_token"] = token, ["expire_in"] = expiresAt.ToUnixTimeSeconds() });
    }

    private static ApiCaller? Caller(HttpContext http)
    {
        var token = http.Request.Headers["access_token"].ToString();
        return http.RequestServices.GetRequiredService<RelayCallers>().IsOpen ? RelayCallers.OpenCaller
            : http.RequestServices.GetRequiredService<ChanjingRelayTokens>().Find(token);
    }

    private static async Task<IResult> Submit(HttpContext http, RelayTasks tasks, string account)
    {
        if (Caller(http) is not { } caller) return Error(TokenInvalid, "AccessToken 验证失败");
        if (await ReadObjectAsync(http.Request) is not { } body) return Error(BadFormat, "传入参数格式错误");
        var (submission, problem) = RelaySubmissions.FromChanjing(account, body);
        if (submission is null) return Error(BadParameter, "参数错误: " + problem);
        var (view, refusal) = await tasks.SubmitAsync(submission, caller, RelayStyle.Chanjing, http.RequestAborted);
        return view is null ? Refused(refusal!) : Ok(view.Id);
    }

    private static async Task<IResult> Query(HttpContext http, RelayTasks tasks, RelayResultLinks links)
    {
        if (Caller(http) is not { } caller) return Error(TokenInvalid, "AccessToken 验证失败");
        var id = http.Request.Query["unique_id"].ToString();
        if (id.Length == 0) return Error(BadParameter, "参数错误: unique_id is required");
        // As Chanjing: an unknown id is a parameter error.
        if (await tasks.FindAsync(id, caller, http.RequestAborted) is not { } view) return Error(BadParameter, "参数错误: task not found");
        view = await tasks.HoldAsync(view, http.RequestAborted);
        return Ok(TaskObject(view, links, RelayResultLinks.BaseOf(http.Request)));
    }

    private static async Task<IResult> Page(HttpContext http, RelayTasks tasks, RelayResultLinks links)
    {
        if (Caller(http) is not { } caller) return Error(TokenInvalid, "AccessToken 验证失败");
        if (await ReadObjectAsync(http.Request) is not { } body) return Error(BadFormat, "传入参数格式错误");
        var ids = new List<string>();
        if (body["unique_ids"] is { } idsNode)
        {
            if (idsNode is not JsonArray asked || asked.Any(n => !TryString(n, out _))) return Error(BadParameter, "参数错误: unique_ids must be an array of strings");
            if (asked.Count > MaxPageIds) return Error(BadParameter, $"参数错误: at most {MaxPageIds} unique_ids per query");
            ids.AddRange(asked.Select(n => n!.GetValue<string>()));
        }
        var page = 1;
        var size = DefaultPageSize;
        if (body["page"] is { } p && (!TryInt(p, out page) || page < 1)) return Error(BadParameter, "参数错误: page must be an integer ≥ 1");
        if (body["page_size"] is { } s && (!TryInt(s, out size) || size is < 1 or > MaxPageIds))
            return Error(BadParameter, $"参数错误: page_size must be an integer in [1, {MaxPageIds}]");

        // With ids: those found, in the order asked; without: the caller's Chanjing-style tasks, newest first.
        IReadOnlyList<Orchestrator.Tasks.TaskView> items;
        int total;
        if (ids.Count > 0)
        {
            var found = new List<Orchestrator.Tasks.TaskView>();
            foreach (var id in ids.Distinct())
                if (await tasks.FindAsync(id, caller, http.RequestAborted) is { } v) found.Add(v);
            total = found.Count;
            items = [.. found.Skip((page - 1) * size).Take(size)];
        }
        else
        {
            (items, total) = await tasks.PageAsync(caller, RelayStyle.Chanjing, null, page, size, http.RequestAborted);
        }
        var baseUrl = RelayResultLinks.BaseOf(http.Request);
        return Ok(new JsonObject
        {
            ["list"] = new JsonArray([.. items.Select(v => (JsonNode)TaskObject(v, links, baseUrl))]),
            ["page_info"] = new JsonObject { ["page"] = page, ["size"] = size, ["total"] = total },
        });
    }
}
