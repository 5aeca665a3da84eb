using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static Orchestrator.Simulator.ChanjingAnswers;
using static Orchestrator.Simulator.RequestJson;

namespace Orchestrator.Simulator;

/// <summary>
/// Chanjing's open API (docs/providers.md, Chanjing): the access-token endpoint, where each new token invalidates
/// the previous one, and ai_creation submit, query and page query behind the <c>access_token</c> header.
/// </summary>
public static class ChanjingEndpoints
{
    private const int MaxPageIds = 50;
    // Not documented; small, as list endpoints usually default, so a client that forgets page_size notices.
    private const int DefaultPageSize = 10;

    /// <param name="prefix">The simulator's own prefix (e.g. <c>/simulator</c>), for result URLs.</param>
    public static void Map(IEndpointRouteBuilder app, ProviderSimulator sim, string prefix)
    {
        app.MapPost("/open/v1/access_token", (HttpRequest request) => Token(request.HttpContext, sim));
        app.MapPost(ChanjingValidation.Endpoint, (HttpRequest request) => Submit(request.HttpContext, sim, prefix));
        app.MapGet("/open/v1/ai_creation/task", (HttpRequest request) => Query(request.HttpContext, sim));
        app.MapPost("/open/v1/ai_creation/task/page", (HttpRequest request) => Page(request.HttpContext, sim));
    }

    private static async Task<IResult> Token(HttpContext http, ProviderSimulator sim)
    {
        if (http.Request.ContentLength is null) return Results.StatusCode(411);
        if (await ReadObjectAsync(http.Request) is not { } body) return Error(BadFormat, "传入参数格式错误");
        TryString(body["app_id"], out var appId);
        TryString(body["secret_key"], out var secret);
        var account = sim.AccountsFor(SimulatedProtocols.Chanjing).FirstOrDefault(a => a.Options.AppId == appId);
        if (account is null || account.Options.SecretKey != secret)
        {
            (account ?? sim.FallbackAccount(SimulatedProtocols.Chanjing))?.CountAuthFailure();
            // 40000 (parameter error), not 10400: a client refreshes its token on 10400, and answering the token
            // request itself with 10400 would send such a client round in a loop.
            return Error(BadParameter, "参数错误: app_id or secret_key is wrong");
        }
        var fault = account.Admit();
        if (fault != SimulatedFault.ConnectionReset && await FaultAsync(http, sim, fault) is { } faulted) return faulted;
        var token = account.IssueToken();
        // The nastiest case for a token owner: the old token is dead and the new one never arrives.
        if (fault == SimulatedFault.AcceptThenHang) return await SimulatorEndpoints.HangAsync(http, sim);
        if (fault == SimulatedFault.ConnectionReset) return SimulatorEndpoints.Reset(http);
        return Ok(new JsonObject { ["access_token"] = token.Token, ["expire_in"] = token.ExpiresAt.ToUnixTimeSeconds() });
    }

    private static async Task<IResult> Submit(HttpContext http, ProviderSimulator sim, string prefix)
    {
        var (account, fault, refused) = await AdmitAsync(http, sim, creates: true);
        if (account is null) return refused!;
        if (http.Request.ContentLength is null) return Results.StatusCode(411);
        if (await ReadObjectAsync(http.Request) is not { } body) return Error(BadFormat, "传入参数格式错误");
        if (ChanjingValidation.Problem(body) is { } problem) return Error(BadParameter, "参数错误: " + problem);
        // Chanjing takes no external id: the body is what tells the same task sent again.
        var request = ChanjingValidation.ToRequest(body, SimulatorEndpoints.FilesBase(http, prefix)) with { Fingerprint = body.ToJsonString() };
        var (task, _) = sim.Create(account, request, CallbackBody);
        if (fault == SimulatedFault.AcceptThenHang) return await SimulatorEndpoints.HangAsync(http, sim);
        if (fault == SimulatedFault.ConnectionReset) return SimulatorEndpoints.Reset(http);
        return Ok(task!.TaskId);
    }

    private static async Task<IResult> Query(HttpContext http, ProviderSimulator sim)
    {
        var (account, _, refused) = await AdmitAsync(http, sim);
        if (account is null) return refused!;
        var id = http.Request.Query["unique_id"].ToString();
        if (id.Length == 0) return Error(BadParameter, "参数错误: unique_id is required");
        // Not documented: an unknown id is answered as a parameter error.
        return account.Find(id) is { } task ? Ok(TaskObject(task, sim.Now)) : Error(BadParameter, "参数错误: task not found");
    }

    private static async Task<IResult> Page(HttpContext http, ProviderSimulator sim)
    {
        var (account, _, refused) = await AdmitAsync(http, sim);
        if (account is null) return refused!;
        if (http.Request.ContentLength is null) return Results.StatusCode(411);
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

        // With ids: those found, in the order asked; without: all the account's tasks, newest first.
        var matching = ids.Count > 0
            ? ids.Distinct().Select(account.Peek).OfType<SimulatedTask>().ToList()
            : [.. account.Newest()];
        var now = sim.Now;
        var list = matching.Skip((page - 1) * size).Take(size).Select(t => (JsonNode)TaskObject(t, now)).ToList();
        account.Counters.CountPage(list.Count);
        return Ok(new JsonObject
        {
            ["list"] = new JsonArray([.. list]),
            ["page_info"] = new JsonObject { ["page"] = page, ["size"] = size, ["total"] = matching.Count },
        });
    }

    /// <summary>
    /// The token first (an invalid, expired or superseded one gets 10400), then the QPS limit and faults; a create
    /// (<paramref name="creates"/>) is let through a <see cref="SimulatedFault.ConnectionReset"/>, to be dropped after creating.
    /// </summary>
    private static async Task<(SimulatedAccount? Account, SimulatedFault? Fault, IResult? Refusal)> AdmitAsync(HttpContext http, ProviderSimulator sim,
        bool creates = false)
    {
        var token = http.Request.Headers["access_token"].ToString();
        var account = token.Length == 0 ? null : sim.AccountsFor(SimulatedProtocols.Chanjing).FirstOrDefault(a => a.AcceptsToken(token));
        if (account is null)
        {
            sim.FallbackAccount(SimulatedProtocols.Chanjing)?.CountTokenRefusal();
            return (null, null, Error(TokenInvalid, "AccessToken 验证失败"));
        }
        var fault = account.Admit();
        if (creates && fault == SimulatedFault.ConnectionReset) return (account, fault, null);
        return await FaultAsync(http, sim, fault) is { } faulted ? (null, fault, faulted) : (account, fault, null);
    }
}
