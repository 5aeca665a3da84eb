using Orchestrator.Persistence;
using Orchestrator.Secrets;

namespace Orchestrator.Webhooks;

// Journal events of webhooks, all tagged "webhook". Secrets are journaled (signing needs them) encrypted by the
// ISecretProtector, in ProtectedSecret; Secret, in plain text, is only ever read, from events written before that. The
// records that carry one print neither: a record's generated ToString would put it into any log line that shows the event.

/// <summary>Events of the endpoint registry (persistence id <c>webhooks</c>).</summary>
internal interface IWebhookRegistryEvent : IOrchestratorEvent;

/// <summary>An endpoint was registered; <c>Tenant</c> (absent in events written before tenants) is whose completions it receives, null for all.</summary>
internal sealed record WebhookEndpointRegistered(string Id, string Url, IReadOnlyList<string> Events, string? Secret, DateTimeOffset At, string? Tenant = null,
    string? ProtectedSecret = null) : IWebhookRegistryEvent
{
    public JournaledSecret Journaled() => new(ProtectedSecret, Secret);

    public override string ToString() => $"{nameof(WebhookEndpointRegistered)} {{ Id = {Id}, Events = {string.Join(",", Events)}, At = {At:O} }}";
}

internal sealed record WebhookEndpointDisabled(string Id, string Reason, DateTimeOffset At) : IWebhookRegistryEvent;

internal sealed record WebhookEndpointEnabled(string Id, DateTimeOffset At) : IWebhookRegistryEvent;

internal sealed record WebhookEndpointDeleted(string Id, DateTimeOffset At) : IWebhookRegistryEvent;

/// <summary>The generated secret that signs per-task <c>webhookUrl</c> deliveries (when none is configured).</summary>
internal sealed record WebhookTaskSecretCreated(string? Secret, DateTimeOffset At, string? ProtectedSecret = null) : IWebhookRegistryEvent
{
    public JournaledSecret Journaled() => new(ProtectedSecret, Secret);

    public override string ToString() => $"{nameof(WebhookTaskSecretCreated)} {{ At = {At:O} }}";
}

/// <summary>Events of one endpoint's deliveries (persistence id <c>webhook-{endpoint id}</c>).</summary>
internal interface IWebhookDeliveryEvent : IOrchestratorEvent
{
    string EndpointId { get; }
}

/// <summary>
/// An attempt failed and another is due at <c>NextAttemptAt</c>. <c>Body</c> (and <c>Url</c> for per-task targets) are
/// written the first time a delivery is journaled and null after, since they never change.
/// </summary>
internal sealed record WebhookDeliveryPending(
    string EndpointId, string EventId, long Offset, string TaskId, string Type, string? Body, string? Url,
    int Attempts, int Step, int? LastStatus, string? LastError, DateTimeOffset At, DateTimeOffset NextAttemptAt) : IWebhookDeliveryEvent;

/// <summary>The schedule is used up: the delivery is kept, listed as failed, and can be replayed.</summary>
internal sealed record WebhookDeliveryFailed(
    string EndpointId, string EventId, long Offset, string TaskId, string Type, string? Body, string? Url,
    int Attempts, int? LastStatus, string? LastError, DateTimeOffset At) : IWebhookDeliveryEvent;

/// <summary>A journaled (pending or replayed) delivery finally arrived. First-attempt successes are never journaled.</summary>
internal sealed record WebhookDeliverySucceeded(string EndpointId, string EventId, int Attempts, DateTimeOffset At) : IWebhookDeliveryEvent;

/// <summary>Failed (or pending) deliveries start a new schedule now.</summary>
internal sealed record WebhookDeliveriesReplayed(string EndpointId, IReadOnlyList<string> EventIds, DateTimeOffset At) : IWebhookDeliveryEvent;

/// <summary>Every completion up to <c>Offset</c> is delivered or journaled as pending or failed: resume after it.</summary>
internal sealed record WebhookOffsetCommitted(string EndpointId, long Offset, DateTimeOffset At) : IWebhookDeliveryEvent;

/// <summary>Snapshot of one endpoint's <see cref="DeliveryLedger"/>.</summary>
internal sealed record WebhookLedgerSnapshot(string EndpointId, long? CommittedOffset, IReadOnlyList<DeliveryRecord> Deliveries) : IOrchestratorEvent;
