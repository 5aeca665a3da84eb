using System.Text.Json;
using System.Text.Json.Serialization;
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

    public static void Map(WebApplication app)
    {
        var hooks = app.MapGroup("/v1/webhooks");
        hooks.MapPost("", Register);
        hooks.MapGet("", async (WebhookSubscriptions w, CancellationToken ct) => Results.Ok(new ItemList<WebhookEndpointView>(await w.ListAsync(ct))));
        hooks.MapGet("/task-secret", async (WebhookSubscriptions w, CancellationToken ct) => Results.Ok(new { secret = await w.TaskSecretAsync(ct) }));
        hooks.MapGet("/{id}", async (string id, WebhookSubscriptions w, CancellationToken ct) =>
            await w.GetAsync(id, ct) is { } view ? Results.Ok(view) : NotFound(id));
        hooks.MapDelete("/{id}", async (string id, WebhookSubscriptions w, CancellationToken ct) => await w.DeleteAsync(id, ct) switch
        {
            true => Results.NoContent(),
            false => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Built-in endpoint",
                detail: $"'{id}' delivers per-task webhookUrls and cannot be deleted."),
            null => NotFound(id),
        });
        hooks.MapPost("/{id}/enable", async (string id, WebhookSubscriptions w, CancellationToken ct) =>
            await w.EnableAsync(id, ct) is { } view ? Results.Ok(view) : NotFound(id));
        hooks.MapGet("/{id}/deliveries", Deliveries);
        hooks.MapPost("/{id}/deliveries/{eventId}/replay", (string id, string eventId, WebhookSubscriptions w, CancellationToken ct) => Replay(id, eventId, w, ct));
        hooks.MapPost("/{id}/replay", (string id, WebhookSubscriptions w, CancellationToken ct) => Replay(id, null, w, ct));
    }

    private static async Task<IResult> Register(HttpRequest request, WebhookSubscriptions webhooks, CancellationToken ct)
    {
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
        try
        {
            var (endpoint, secret) = await webhooks.RegisterAsync(body, ct);
            // The only answer that carries the secret.
            return Results.Created($"/v1/webhooks/{endpoint.Id}",
                new WebhookEndpointCreated(endpoint.Id, endpoint.Url!, endpoint.Events, secret, endpoint.Enabled, endpoint.CreatedAt));
        }
        catch (WebhookValidationException ex)
        {
            return ApiProblems.Invalid([.. ex.Errors]);
        }
    }

    private static async Task<IResult> Deliveries(string id, HttpRequest request, WebhookSubscriptions webhooks, CancellationToken ct)
    {
        var state = request.Query["state"].ToString() is { Length: > 0 } s ? s : null;
        if (state is not (null or "pending" or "failed")) return ApiProblems.Invalid(new FieldError("state", "pending or failed."));
        return await webhooks.DeliveriesAsync(id, state, ct) is { } items ? Results.Ok(new ItemList<WebhookDeliveryView>(items)) : NotFound(id);
    }

    private static async Task<IResult> Replay(string id, string? eventId, WebhookSubscriptions webhooks, CancellationToken ct) =>
        await webhooks.ReplayAsync(id, eventId, ct) switch
        {
            (ReplayStatus.Replayed, var n) => Results.Accepted($"/v1/webhooks/{id}/deliveries", new WebhookReplayResult(n)),
            (ReplayStatus.DeliveryNotFound, _) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found",
                detail: $"Webhook '{id}' keeps no pending or failed delivery '{eventId}'."),
            _ => NotFound(id),
        };

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhook not found", detail: $"No webhook endpoint with id '{id}'.");
}
