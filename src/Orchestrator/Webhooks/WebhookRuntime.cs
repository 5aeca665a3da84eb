using Orchestrator.Events;
using Orchestrator.Secrets;

namespace Orchestrator.Webhooks;

/// <summary>What the webhook actors share: options, the sender, the one completion stream they all follow, the clock and the secret protector.</summary>
internal sealed class WebhookRuntime(WebhookOptions options, WebhookSender sender, CompletionBroadcast completions, TimeProvider clock, WebhookHealth health, ISecretProtector secrets,
    ITaskWebhookBody? taskBodies = null, CompletionBroadcast? states = null)
{
    /// <summary>
    /// The state changes of tasks whose webhook receives every state (<see cref="TaskCompletion.WebhookEveryState"/>),
    /// which the built-in <c>task-states</c> deliverer follows; null (tests of other deliverers): that deliverer is not run.
    /// </summary>
    public CompletionBroadcast? States { get; } = states;

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

    /// <summary>
    /// The built-in <c>task-states</c> target: follows the state changes of tasks whose webhook receives every state
    /// (<see cref="WebhookRuntime.States"/>), not the completions, and delivers a task's changes one after another.
    /// </summary>
    public bool FollowsStates { get; init; }

    /// <summary>Where <paramref name="c"/> goes, or null when this target does not want it.</summary>
    public string? UrlFor(TaskCompletion c) =>
        // A task whose webhook receives every state gets its end from the state deliverer, after its other changes.
        IsTaskWebhooks ? c.WebhookEveryState == FollowsStates ? c.Task.WebhookUrl : null
        : (Tenant is null || c.Task.Metadata?.GetValueOrDefault("tenant") == Tenant)
          && (Events.Contains(WebhookEndpoint.AllEvents) || Events.Contains(c.Type)) ? Url : null;

    public override string ToString() => $"DeliveryTarget {{ EndpointId = {EndpointId} }}";
}
