using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static Orchestrator.Simulator.KlingAnswers;

namespace Orchestrator.Simulator;

/// <summary>
/// Kling's protocol twice: the DMXAPI relay (docs/providers.md, DMXAPI relay) under <c>/kling/v1/…</c> with a static bearer key, and
/// the official API (docs/providers.md, Kling) under <c>/v1/…</c> with an HS256 JWT. They differ only in prefix and auth.
/// </summary>
public static class KlingEndpoints
{
    private const string RelayPrefix = "/kling";
    private static readonly string[] CreatePaths = [KlingValidation.Images, KlingValidation.TextToVideo, KlingValidation.ImageToVideo];

    /// <summary>Who is calling, or the answer refusing the call.</summary>
    private delegate (SimulatedAccount? Account, IResult? Refusal) Authenticate(HttpContext http, ProviderSimulator sim);

    /// <param name="prefix">The simulator's own prefix (e.g. <c>/simulator</c>), for result URLs.</param>
    public static void Map(IEndpointRouteBuilder app, ProviderSimulator sim, string prefix)
    {
        foreach (var path in CreatePaths)
        {
            MapPath(app, sim, prefix, RelayPrefix, path, RelayKey);
            MapPath(app, sim, prefix, "", path, OfficialJwt);
        }
    }

    private static void MapPath(IEndpointRouteBuilder app, ProviderSimulator sim, string prefix, string protocolPrefix, string path, Authenticate auth)
    {
        app.MapPost(protocolPrefix + path, (HttpRequest request) => Create(request.HttpContext, sim, auth, path, prefix));
        app.MapGet(protocolPrefix + path + "/{id}", (HttpContext http, string id) => Query(http, sim, auth, id));
        // The external id as a query parameter (some clients), else the list, newest first.
        app.MapGet(protocolPrefix + path, (HttpRequest request) => request.Query["external_task_id"].ToString() is { Length: > 0 } external
            ? Query(request.HttpContext, sim, auth, external)
            : List(request.HttpContext, sim, auth, path));
    }

    private static (SimulatedAccount?, IResult?) RelayKey(HttpContext http, ProviderSimulator sim)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        var account = sim.AccountsFor(SimulatedProtocols.Dmxapi).FirstOrDefault(a => authorization == "Bearer " + a.ApiKey);
        if (account is not null) return (account, null);
        sim.FallbackAccount(SimulatedProtocols.Dmxapi)?.CountAuthFailure();
        return (null, Error(401, 1000, "authentication failed"));
    }

    private static (SimulatedAccount?, IResult?) OfficialJwt(HttpContext http, ProviderSimulator sim)
    {
        var check = KlingJwt.Verify(http.Request.Headers.Authorization.ToString(), sim.AccountsFor(SimulatedProtocols.Kling), sim.Now);
        if (check.Code == 0) return (check.Account, null);
        (check.Account ?? sim.FallbackAccount(SimulatedProtocols.Kling))?.CountAuthFailure();
        return (null, Error(401, check.Code, check.Message));
    }

    private static async Task<IResult> Create(HttpContext http, ProviderSimulator sim, Authenticate auth, string path, string prefix)
    {
        // Auth first (Kling checks the credential before limits), then the rate limit and faults.
        var (account, refused) = auth(http, sim);
        if (account is null) return refused!;
        var fault = account.Admit();
        if (fault != SimulatedFault.ConnectionReset && await FaultAsync(http, sim, fault) is { } faulted) return faulted;
        // Like some gateways: a chunked body without Content-Length is refused.
        if (http.Request.ContentLength is null) return Results.StatusCode(411);
        if (await RequestJson.ReadObjectAsync(http.Request) is not { } body) return Error(400, 1200, "request body must be a JSON object");
        if (KlingValidation.Problem(path, body) is { } problem) return Error(400, 1201, problem);

        var request = KlingValidation.ToRequest(path, body, SimulatorEndpoints.FilesBase(http, prefix));
        var (task, refusal) = sim.Create(account, request, CallbackBody);
        if (refusal == CreateRefusal.DuplicateExternalId) return Error(400, 1201, "external_task_id already exists");
        if (refusal == CreateRefusal.ConcurrencyLimit) return Error(429, 1303, "parallel task limit exceeded, please retry later");
        if (fault == SimulatedFault.AcceptThenHang) return await SimulatorEndpoints.HangAsync(http, sim);
        if (fault == SimulatedFault.ConnectionReset) return SimulatorEndpoints.Reset(http);
        return Ok(TaskObject(task!, sim.Now));
    }

    private static async Task<IResult> Query(HttpContext http, ProviderSimulator sim, Authenticate auth, string id)
    {
        var (account, refused) = auth(http, sim);
        if (account is null) return refused!;
        if (await FaultAsync(http, sim, account.Admit()) is { } faulted) return faulted;
        var task = account.Find(id);
        return task is null ? Error(404, 1203, "task not found") : Ok(TaskObject(task, sim.Now));
    }

    private static async Task<IResult> List(HttpContext http, ProviderSimulator sim, Authenticate auth, string path)
    {
        var (account, refused) = auth(http, sim);
        if (account is null) return refused!;
        if (await FaultAsync(http, sim, account.Admit()) is { } faulted) return faulted;
        if (!PageParameter(http, "pageNum", 1, 1000, out var pageNum)) return Error(400, 1201, "pageNum must be an integer in [1, 1000]");
        if (!PageParameter(http, "pageSize", 30, 500, out var pageSize)) return Error(400, 1201, "pageSize must be an integer in [1, 500]");
        var now = sim.Now;
        var page = account.Newest(path).Skip((pageNum - 1) * pageSize).Take(pageSize).Select(t => (JsonNode)TaskObject(t, now)).ToList();
        account.Counters.CountPage(page.Count);
        return Ok(new JsonArray([.. page]));
    }

    private static bool PageParameter(HttpContext http, string name, int fallback, int max, out int value)
    {
        var raw = http.Request.Query[name].ToString();
        value = fallback;
        return raw.Length == 0 || (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= max);
    }
}
