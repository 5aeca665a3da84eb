namespace Orchestrator.Webhooks;

// Commands to the registry (and, forwarded, to an endpoint's deliverer) and their replies.

/// <summary>Register a validated endpoint. The secret is never printed.</summary>
public sealed record RegisterWebhook(string Id, string Url, IReadOnlyList<string> Events, string Secret)
{
    public override string ToString() => $"{nameof(RegisterWebhook)} {{ Id = {Id} }}";
}

public sealed record WebhookRegistered(WebhookEndpointView View);

public sealed record ListWebhooks;

public sealed record GetWebhook(string Id);

public sealed record DeleteWebhook(string Id);

public sealed record WebhookDeleted(string Id);

public sealed record EnableWebhook(string Id);

/// <summary>From a deliverer: the receiver answered 410 Gone.</summary>
public sealed record DisableWebhook(string Id, string Reason);

/// <summary>Pending and failed deliveries of an endpoint; <c>State</c> <c>pending</c> or <c>failed</c> narrows them.</summary>
public sealed record ListDeliveries(string Id, string? State = null);

public sealed record DeliveryList(IReadOnlyList<WebhookDeliveryView> Items);

/// <summary>Replay one kept delivery (<c>EventId</c>) or, when null, every failed one of the endpoint.</summary>
public sealed record ReplayDeliveries(string Id, string? EventId);

public sealed record DeliveriesReplayed(int Count);

public sealed record DeliveryNotFound(string Id, string EventId);

public sealed record WebhookNotFound(string Id);

/// <summary>A request the built-in task-webhooks endpoint cannot do (delete it).</summary>
public sealed record WebhookBuiltIn(string Id);

public sealed record GetTaskWebhookSecret;

public sealed record TaskWebhookSecret(string Secret)
{
    public override string ToString() => nameof(TaskWebhookSecret);
}

/// <summary>Commit every endpoint's offset now (on shutdown).</summary>
public sealed record FlushWebhooks
{
    public static readonly FlushWebhooks Instance = new();
}

public sealed record WebhooksFlushed
{
    public static readonly WebhooksFlushed Instance = new();
}

/// <summary>From the registry to a deliverer: its endpoint was enabled or disabled.</summary>
internal sealed record EndpointEnabledChanged(bool Enabled);
