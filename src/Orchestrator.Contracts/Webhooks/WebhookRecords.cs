namespace Orchestrator.Webhooks;

/// <summary>A registration as a caller sends it (<c>POST /v1/webhooks</c>), before validation.</summary>
public sealed record WebhookRegistrationRequest
{
    /// <summary>Absolute http or https URL.</summary>
    public string? Url { get; init; }
    /// <summary>Completion types (<c>task.succeeded</c>, <c>task.failed</c>, <c>task.timed_out</c>, <c>task.cancelled</c>) or <c>*</c>; default all.</summary>
    public List<string>? Events { get; init; }
    /// <summary>Optional <c>whsec_…</c> secret; generated when absent.</summary>
    public string? Secret { get; init; }

    /// <summary>Never the secret: requests end up in logs.</summary>
    public override string ToString() => $"{nameof(WebhookRegistrationRequest)} {{ Url = {Url} }}";
}

/// <summary>
/// The answer to <c>POST /v1/webhooks</c> (201): the new endpoint and its secret. The only answer that carries the
/// secret.
/// </summary>
/// <param name="Id">The endpoint's id, <c>wh_…</c>.</param>
/// <param name="Url">Where deliveries go.</param>
/// <param name="Events">Completion types it receives, or <c>*</c> for all.</param>
/// <param name="Secret">The <c>whsec_…</c> secret that signs its deliveries.</param>
/// <param name="Enabled">Whether it receives deliveries.</param>
/// <param name="CreatedAt">When it was registered.</param>
public sealed record WebhookEndpointCreated(string Id, string Url, IReadOnlyList<string> Events, string Secret, bool Enabled, DateTimeOffset CreatedAt)
{
    /// <summary>Never the secret: answers end up in logs.</summary>
    public override string ToString() => $"{nameof(WebhookEndpointCreated)} {{ Id = {Id}, Url = {Url} }}";
}

/// <summary>An endpoint as the API shows it: never its secret.</summary>
/// <param name="Id">The endpoint's id, <c>wh_…</c>, or <c>task-webhooks</c> for the built-in one.</param>
/// <param name="Url">Where deliveries go; null for the built-in endpoint (each task names its own).</param>
/// <param name="Events">Completion types it receives, or <c>*</c> for all.</param>
/// <param name="Enabled">False after a 410 Gone until re-enabled.</param>
/// <param name="DisabledReason">Why it was disabled, e.g. <c>410 Gone</c>.</param>
/// <param name="CreatedAt">When it was registered.</param>
public sealed record WebhookEndpointView(string Id, string? Url, IReadOnlyList<string> Events, bool Enabled, string? DisabledReason, DateTimeOffset CreatedAt)
{
    /// <summary>Whose completions it receives (the tenant of the API key that registered it); null for every tenant's.</summary>
    public string? Tenant { get; init; }
}

/// <summary>A pending or failed delivery as <c>GET /v1/webhooks/{id}/deliveries</c> lists it.</summary>
/// <param name="EventId">The completion's event id (the <c>webhook-id</c> header).</param>
/// <param name="TaskId">The task that ended.</param>
/// <param name="Type">The completion type, e.g. <c>task.succeeded</c>.</param>
/// <param name="State"><c>pending</c> (another attempt is due) or <c>failed</c> (the schedule is exhausted).</param>
/// <param name="Attempts">Attempts made in all.</param>
/// <param name="LastStatus">The last attempt's HTTP status, if it got one.</param>
/// <param name="LastError">The last attempt's transport error (timeout, refused connection), if any.</param>
/// <param name="LastAttemptAt">When the last attempt ended.</param>
/// <param name="NextAttemptAt">When the next attempt is due; null once failed.</param>
/// <param name="Url">The per-task target for the built-in endpoint; null for a registered one.</param>
public sealed record WebhookDeliveryView(
    string EventId, string TaskId, string Type, string State, int Attempts, int? LastStatus, string? LastError,
    DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, string? Url);

/// <summary>The answer to <c>POST /v1/webhooks/{id}/replay</c> (and to replaying one delivery).</summary>
/// <param name="Replayed">Deliveries that start a new schedule now.</param>
public sealed record WebhookReplayResult(int Replayed);

/// <summary>The answer to <c>GET /v1/webhooks/task-secret</c>: the secret that signs per-task <c>webhookUrl</c> deliveries.</summary>
/// <param name="Secret">The <c>whsec_…</c> secret.</param>
public sealed record TaskWebhookSecretView(string Secret)
{
    /// <summary>Never the secret: answers end up in logs.</summary>
    public override string ToString() => nameof(TaskWebhookSecretView);
}
