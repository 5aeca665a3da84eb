using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Contracts;
using Orchestrator.Server.Security;
using Orchestrator.Tasks;
using Orchestrator.Webhooks;

namespace Orchestrator.Server.Api;

/// <summary>
/// <c>/v1/webhooks</c>: register endpoints for signed deliveries of task completions, list and replay the deliveries that
/// did not arrive, and read the secret that signs per-task <c>webhookUrl</c> deliveries. An endpoint belongs to the tenant
/// of the key that registered it and receives that tenant's completions only; other keys of lower roles than admin
/// see only their tenant's endpoints (others' are 404). Replays and the task secret are admin-only.
/// </summary>
public static class WebhookEndpoints
{
    // Typos in field names are refused rather than silently ignored.
    private static readonly JsonSerializerOptions RequestJson = new(ApiJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Maps the <c>/v1/webhooks</c> group.</summary>
    public static RouteGroupBuilder MapWebhookEndpoints(this IEndpointRouteBuilder routes)
    {
        var hooks = routes.MapGroup("/v1/webhooks");
        hooks.MapPost("", Register).WithBodyLimit(RequestBodyLimits.JsonObjectBytes)
            .Accepts<WebhookRegistrationRequest>("application/json").WithProblems(400, 409, 413, 415);
        hooks.MapGet("", async Task<Ok<ItemList<WebhookEndpointView>>> (ApiCaller caller, WebhookSubscriptions w, CancellationToken ct) =>
            TypedResults.Ok(new ItemList<WebhookEndpointView>((await w.ListAsync(ct)).Where(e => caller.Sees(e.Tenant)).ToList())));
        // It signs every tenant's per-task deliveries.
        hooks.MapGet("/task-secret", async Task<Ok<TaskWebhookSecretView>> (WebhookSubscriptions w, CancellationToken ct) =>
            TypedResults.Ok(new TaskWebhookSecretView(await w.TaskSecretAsync(ct)))).RequireRole(ApiRole.Admin);
        hooks.MapGet("/{id}", async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> (string id, ApiCaller caller, WebhookSubscriptions w, CancellationToken ct) =>
            await VisibleAsync(id, caller, w, ct) is { } view ? TypedResults.Ok(view) : NotFound(id)).WithProblems(404);
        hooks.MapDelete("/{id}", Delete).WithProblems(404, 409);
        hooks.MapPost("/{id}/enable", async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> (string id, ApiCaller caller, WebhookSubscriptions w, CancellationToken ct) =>
            await VisibleAsync(id, caller, w, ct) is not null && await w.EnableAsync(id, ct) is { } view ? TypedResults.Ok(view) : NotFound(id)).WithProblems(404);
        hooks.MapGet("/{id}/deliveries", Deliveries).WithProblems(400, 404);
        // A replay sends deliveries again, to receivers that may act on each: the operator's decision.
        hooks.MapPost("/{id}/deliveries/{eventId}/replay", (string id, string eventId, WebhookSubscriptions w, CancellationToken ct) => Replay(id, eventId, w, ct))
            .RequireRole(ApiRole.Admin).WithProblems(404);
        hooks.MapPost("/{id}/replay", (string id, WebhookSubscriptions w, CancellationToken ct) => Replay(id, null, w, ct)).RequireRole(ApiRole.Admin).WithProblems(404);
        return hooks;
    }

    /// <summary>The endpoint when it exists and belongs to the caller's tenant (an admin sees every one), else null.</summary>
    private static async Task<WebhookEndpointView?> VisibleAsync(string id, ApiCaller caller, WebhookSubscriptions webhooks, CancellationToken ct) =>
        await webhooks.GetAsync(id, ct) is { } view && caller.Sees(view.Tenant) ? view : null;

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, ApiCaller caller, WebhookSubscriptions webhooks, CancellationToken ct) =>
        await VisibleAsync(id, caller, webhooks, ct) is null ? NotFound(id) : await webhooks.DeleteAsync(id, ct) switch
        {
            true => TypedResults.NoContent(),
            false => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Built-in endpoint",
                detail: $"'{id}' delivers per-task webhookUrls and cannot be deleted."),
            null => NotFound(id),
        };

    private static async Task<Results<Created<WebhookEndpointCreated>, ProblemHttpResult>> Register(HttpRequest request, ApiCaller caller, WebhookSubscriptions webhooks, CancellationToken ct)
    {
        if (!ApiContentTypes.IsJson(request.ContentType))
            return ApiProblems.UnsupportedMediaType(request.HttpContext, "application/json", "POST /v1/webhooks takes one registration as a JSON object");
        WebhookRegistrationRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<WebhookRegistrationRequest>(request.Body, RequestJson, ct);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.').Split('[')[0];
            return ApiProblems.Invalid(new FieldError(field, field == "body" ? "The body is not valid JSON." : $"Malformed value or unknown field at {ex.Path}."));
        }
        if (body is null) return ApiProblems.Invalid(new FieldError("body", "A JSON object is required."));
        // A key's endpoint receives its own tenant's completions; an admin's, its tenant's if it has one, else every tenant's.
        var (endpoint, secret) = await webhooks.RegisterAsync(body, ct, caller.Tenant);
        // The only answer that carries the secret.
        return TypedResults.Created($"/v1/webhooks/{endpoint.Id}",
            new WebhookEndpointCreated(endpoint.Id, endpoint.Url!, endpoint.Events, secret, endpoint.Enabled, endpoint.CreatedAt));
    }

    private static async Task<Results<Ok<ItemList<WebhookDeliveryView>>, ProblemHttpResult>> Deliveries(string id, HttpRequest request, ApiCaller caller, WebhookSubscriptions webhooks, CancellationToken ct)
    {
        if (await VisibleAsync(id, caller, webhooks, ct) is null) return NotFound(id);
        var state = request.Query["state"].ToString() is { Length: > 0 } s ? s : null;
        if (state is not (null or "pending" or "failed")) return ApiProblems.Invalid(new FieldError("state", "pending or failed."));
        return await webhooks.DeliveriesAsync(id, state, ct) is { } items ? TypedResults.Ok(new ItemList<WebhookDeliveryView>(items)) : NotFound(id);
    }

    private static async Task<Results<Accepted<WebhookReplayResult>, ProblemHttpResult>> Replay(string id, string? eventId, WebhookSubscriptions webhooks, CancellationToken ct) =>
        await webhooks.ReplayAsync(id, eventId, ct) switch
        {
            (ReplayStatus.Replayed, var n) => TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", new WebhookReplayResult(n)),
            (ReplayStatus.DeliveryNotFound, _) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found",
                detail: $"Webhook '{id}' keeps no pending or failed delivery '{eventId}'."),
            _ => NotFound(id),
        };

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhook not found", detail: $"No webhook endpoint with id '{id}'.");
}
