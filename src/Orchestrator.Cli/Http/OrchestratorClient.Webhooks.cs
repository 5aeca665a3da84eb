using System.Net.Http.Json;
using Orchestrator.Contracts;
using Orchestrator.Webhooks;

namespace Orchestrator.Cli.Http;

/// <summary><c>/v1/webhooks</c>.</summary>
public sealed partial class OrchestratorClient
{
    public Task<Answer<ItemList<WebhookEndpointView>>> WebhooksAsync(CancellationToken ct) =>
        CallAsync<ItemList<WebhookEndpointView>>(HttpMethod.Get, "v1/webhooks", null, ct);

    public Task<Answer<WebhookEndpointCreated>> AddWebhookAsync(WebhookRegistrationRequest request, CancellationToken ct) =>
        CallAsync<WebhookEndpointCreated>(HttpMethod.Post, "v1/webhooks", null, ct, JsonContent.Create(request, options: WireJson.Options));

    /// <summary>Deletes an endpoint (204: no document).</summary>
    public async Task RemoveWebhookAsync(string id, CancellationToken ct)
    {
        using var timeout = Timed(ct);
        using var response = await _http.DeleteAsync($"v1/webhooks/{Uri.EscapeDataString(id)}", timeout.Token);
        await ThrowIfFailedAsync(response, timeout.Token);
    }

    /// <summary>The endpoint's pending and failed deliveries (<paramref name="state"/> keeps one of the two).</summary>
    public Task<Answer<ItemList<WebhookDeliveryView>>> DeliveriesAsync(string id, string? state, CancellationToken ct) =>
        CallAsync<ItemList<WebhookDeliveryView>>(HttpMethod.Get, $"v1/webhooks/{Uri.EscapeDataString(id)}/deliveries" + Query(("state", state)), null, ct);

    /// <summary>Starts a new schedule now for every pending and failed delivery, or for the one of <paramref name="eventId"/>.</summary>
    public Task<Answer<WebhookReplayResult>> ReplayAsync(string id, string? eventId, CancellationToken ct) =>
        CallAsync<WebhookReplayResult>(HttpMethod.Post, eventId is null
            ? $"v1/webhooks/{Uri.EscapeDataString(id)}/replay"
            : $"v1/webhooks/{Uri.EscapeDataString(id)}/deliveries/{Uri.EscapeDataString(eventId)}/replay", null, ct);
}
