using Orchestrator.Events;
using Orchestrator.Secrets;

namespace Orchestrator.Webhooks;

/// <summary>What the webhook actors share: options, the sender, the one completion stream they all follow, the clock and the secret protector.</summary>
internal sealed class WebhookRuntime(WebhookOptions options, WebhookSender sender, CompletionBroadcast completions, TimeProvider clock, WebhookHealth health, ISecretProtector secrets,
    ITaskWebhookBody? taskBodies = null)
{
    /// <summary>What a task's own webhookUrl receives (the relay's provider-shaped callbacks); the default payload otherwise.</summary>
    public ITaskWebhookBody TaskBodies { get; } = taskBodies ?? DefaultTaskWebhookBody.Instance;

    public ISecretProtector Secrets { get; } = secrets;
    public WebhookHealth Health { get; } = health;
    public WebhookOptions Options { get; } = options;
    public WebhookSender Sender { get; } = sender;
    public CompletionBroadcast Completions { get; } = completions;
    public TimeProvider Clock { get; } = clock;
    public RetryPolicy Policy { get; } = RetryPolicy.From(options);
    public DateTimeOffset Now => Clock.GetUtcNow();
}

/// <summary>
/// Where one deliverer sends and how it signs: a registered endpoint (its URL, event filter and key) or the built-in
/// task-webhooks endpoint (<c>Url</c> null: each completion goes to its task's own <c>webhookUrl</c>).
/// </summary>
internal sealed record DeliveryTarget(string EndpointId, string? Url, IReadOnlyList<string> Events, byte[] Key, int MaxInFlight, long? RegisteredSeqNr)
{
    public bool IsTaskWebhooks => Url is null;

    /// <summary>A tenant's endpoint receives that tenant's completions only; null receives every tenant's.</summary>
    public string? Tenant { get; init; }

    /// <summary>Where <paramref name="c"/> goes, or null when this target does not want it.</summary>
    public string? UrlFor(TaskCompletion c) =>
        IsTaskWebhooks ? c.Task.WebhookUrl
        : (Tenant is null || c.Task.Metadata?.GetValueOrDefault("tenant") == Tenant)
          && (Events.Contains(WebhookEndpoint.AllEvents) || Events.Contains(c.Type)) ? Url : null;

    public override string ToString() => $"DeliveryTarget {{ EndpointId = {EndpointId} }}";
}
