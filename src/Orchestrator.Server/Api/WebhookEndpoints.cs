using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Contracts;
using Orchestrator.Tasks;
using Orchestrator.Webhooks;

namespace Orchestrator.Server.Api;

/// <summary>
/// <c>/v1/webhooks</c>: register endpoints for signed deliveries of task completions, list and replay the deliveries that
/// did not arrive, and read the secret that signs per-task <c>webhookUrl</c> deliveries.
/// </summary>
public static class WebhookEndpoints
{
    // Typos in field names are refused rather than silently ignored.
    private static readonly JsonSerializerOptions RequestJson = new(ApiJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Maps the <c>/v1/webhooks</c> group.</summary>
    public static RouteGroupBuilder MapWebhookEndpoints(this IEndpointRouteBuilder routes)
    {
        var hooks = routes.MapGroup("/v1/webhooks");
        hooks.MapPost("", Register).WithBodyLimit(RequestBodyLimits.JsonObjectBytes);
        hooks.MapGet("", async Task<Ok<ItemList<WebhookEndpointView>>> (WebhookSubscriptions w, CancellationToken ct) =>
            TypedResults.Ok(new ItemList<WebhookEndpointView>(await w.ListAsync(ct))));
        hooks.MapGet("/task-secret", async Task<Ok<TaskWebhookSecretView>> (WebhookSubscriptions w, CancellationToken ct) =>
            TypedResults.Ok(new TaskWebhookSecretView(await w.TaskSecretAsync(ct))));
        hooks.MapGet("/{id}", async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> (string id, WebhookSubscriptions w, CancellationToken ct) =>
            await w.GetAsync(id, ct) is { } view ? TypedResults.Ok(view) : NotFound(id));
        hooks.MapDelete("/{id}", Delete);
        hooks.MapPost("/{id}/enable", async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> (string id, WebhookSubscriptions w, CancellationToken ct) =>
            await w.EnableAsync(id, ct) is { } view ? TypedResults.Ok(view) : NotFound(id));
        hooks.MapGet("/{id}/deliveries", Deliveries);
        hooks.MapPost("/{id}/deliveries/{eventId}/replay", (string id, string eventId, WebhookSubscriptions w, CancellationToken ct) => Replay(id, eventId, w, ct));
        hooks.MapPost("/{id}/replay", (string id, WebhookSubscriptions w, CancellationToken ct) => Replay(id, null, w, ct));
        return hooks;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, WebhookSubscriptions webhooks, CancellationToken ct) =>
        await webhooks.DeleteAsync(id, ct) switch
        {
            true => TypedResults.NoContent(),
            false => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Built-in endpoint",
                detail: $"'{id}' delivers per-task webhookUrls and cannot be deleted."),
            null => NotFound(id),
        };

    private static async Task<Results<Created<WebhookEndpointCreated>, ProblemHttpResult>> Register(HttpRequest request, WebhookSubscriptions webhooks, CancellationToken ct)
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
        var (endpoint, secret) = await webhooks.RegisterAsync(body, ct);
        // The only answer that carries the secret.
        return TypedResults.Created($"/v1/webhooks/{endpoint.Id}",
            new WebhookEndpointCreated(endpoint.Id, endpoint.Url!, endpoint.Events, secret, endpoint.Enabled, endpoint.CreatedAt));
    }

    private static async Task<Results<Ok<ItemList<WebhookDeliveryView>>, ProblemHttpResult>> Deliveries(string id, HttpRequest request, WebhookSubscriptions webhooks, CancellationToken ct)
    {
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
