namespace Orchestrator.Webhooks;

// Commands to the registry (and, forwarded, to an endpoint's deliverer) and their replies.

/// <summary>Register a validated endpoint. The secret is never printed.</summary>
internal sealed record RegisterWebhook(string Id, string Url, IReadOnlyList<string> Events, string Secret, string? Tenant = null)
{
    public override string ToString() => $"{nameof(RegisterWebhook)} {{ Id = {Id} }}";
}

internal sealed record WebhookRegistered(WebhookEndpointView View);

/// <summary>The tenant already has <c>Limit</c> endpoints: nothing was registered.</summary>
internal sealed record WebhookLimitReached(string? Tenant, int Limit);

internal sealed record ListWebhooks;

internal sealed record GetWebhook(string Id);

internal sealed record DeleteWebhook(string Id);

internal sealed record WebhookDeleted(string Id);

internal sealed record EnableWebhook(string Id);

/// <summary>From a deliverer: the receiver answered 410 Gone.</summary>
internal sealed record DisableWebhook(string Id, string Reason);

/// <summary>Pending and failed deliveries of an endpoint; <c>State</c> <c>pending</c> or <c>failed</c> narrows them.</summary>
internal sealed record ListDeliveries(string Id, string? State = null);

internal sealed record DeliveryList(IReadOnlyList<WebhookDeliveryView> Items);

/// <summary>Replay one kept delivery (<c>EventId</c>) or, when null, every failed one of the endpoint.</summary>
internal sealed record ReplayDeliveries(string Id, string? EventId);

internal sealed record DeliveriesReplayed(int Count);

internal sealed record DeliveryNotFound(string Id, string EventId);

internal sealed record WebhookNotFound(string Id);

/// <summary>A request the built-in task-webhooks endpoint cannot do (delete it).</summary>
internal sealed record WebhookBuiltIn(string Id);

internal sealed record GetTaskWebhookSecret;

internal sealed record TaskWebhookSecret(string Secret)
{
    public override string ToString() => nameof(TaskWebhookSecret);
}

/// <summary>Commit every endpoint's offset now (on shutdown).</summary>
internal sealed record FlushWebhooks
{
    public static readonly FlushWebhooks Instance = new();
}

internal sealed record WebhooksFlushed
{
    public static readonly WebhooksFlushed Instance = new();
}

/// <summary>From the registry to a deliverer: its endpoint was enabled or disabled.</summary>
internal sealed record EndpointEnabledChanged(bool Enabled);
