using Orchestrator.Persistence;

namespace Orchestrator.Webhooks;

// Journal events of webhooks, all tagged "webhook". Secrets are journaled (signing needs them), so the records that carry
// one print it redacted: a record's generated ToString would otherwise put it into any log line that shows the event.

/// <summary>Events of the endpoint registry (persistence id <c>webhooks</c>).</summary>
public interface IWebhookRegistryEvent : IOrchestratorEvent;

public sealed record WebhookEndpointRegistered(string Id, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset At) : IWebhookRegistryEvent
{
    public override string ToString() => $"{nameof(WebhookEndpointRegistered)} {{ Id = {Id}, Events = {string.Join(",", Events)}, At = {At:O} }}";
}

public sealed record WebhookEndpointDisabled(string Id, string Reason, DateTimeOffset At) : IWebhookRegistryEvent;

public sealed record WebhookEndpointEnabled(string Id, DateTimeOffset At) : IWebhookRegistryEvent;

public sealed record WebhookEndpointDeleted(string Id, DateTimeOffset At) : IWebhookRegistryEvent;

/// <summary>The generated secret that signs per-task <c>webhookUrl</c> deliveries (when none is configured).</summary>
public sealed record WebhookTaskSecretCreated(string Secret, DateTimeOffset At) : IWebhookRegistryEvent
{
    public override string ToString() => $"{nameof(WebhookTaskSecretCreated)} {{ At = {At:O} }}";
}

/// <summary>Events of one endpoint's deliveries (persistence id <c>webhook-{endpoint id}</c>).</summary>
public interface IWebhookDeliveryEvent : IOrchestratorEvent
{
    string EndpointId { get; }
}

/// <summary>
/// An attempt failed and another is due at <c>NextAttemptAt</c>. <c>Body</c> (and <c>Url</c> for per-task targets) are
/// written the first time a delivery is journaled and null after, since they never change.
/// </summary>
public sealed record WebhookDeliveryPending(
    string EndpointId, string EventId, long Offset, string TaskId, string Type, string? Body, string? Url,
    int Attempts, int Step, int? LastStatus, string? LastError, DateTimeOffset At, DateTimeOffset NextAttemptAt) : IWebhookDeliveryEvent;

/// <summary>The schedule is used up: the delivery is kept, listed as failed, and can be replayed.</summary>
public sealed record WebhookDeliveryFailed(
    string EndpointId, string EventId, long Offset, string TaskId, string Type, string? Body, string? Url,
    int Attempts, int? LastStatus, string? LastError, DateTimeOffset At) : IWebhookDeliveryEvent;

/// <summary>A journaled (pending or replayed) delivery finally arrived. First-attempt successes are never journaled.</summary>
public sealed record WebhookDeliverySucceeded(string EndpointId, string EventId, int Attempts, DateTimeOffset At) : IWebhookDeliveryEvent;

/// <summary>Failed (or pending) deliveries start a new schedule now.</summary>
public sealed record WebhookDeliveriesReplayed(string EndpointId, IReadOnlyList<string> EventIds, DateTimeOffset At) : IWebhookDeliveryEvent;

/// <summary>Every completion up to <c>Offset</c> is delivered or journaled as pending or failed: resume after it.</summary>
public sealed record WebhookOffsetCommitted(string EndpointId, long Offset, DateTimeOffset At) : IWebhookDeliveryEvent;

/// <summary>Snapshot of one endpoint's <see cref="DeliveryLedger"/>.</summary>
public sealed record WebhookLedgerSnapshot(string EndpointId, long? CommittedOffset, IReadOnlyList<DeliveryRecord> Deliveries) : IOrchestratorEvent;
