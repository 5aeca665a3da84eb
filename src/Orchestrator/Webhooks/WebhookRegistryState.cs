using System.Collections.Immutable;
using Orchestrator.Events;
using Orchestrator.Secrets;
using Orchestrator.Tasks;

namespace Orchestrator.Webhooks;

/// <summary>A registered endpoint. <c>Secret</c> is never shown after registration and never printed.</summary>
/// <param name="Id"><c>wh_…</c>.</param>
/// <param name="Url">Where deliveries go.</param>
/// <param name="Events">Completion types it receives, or <c>*</c> for all.</param>
/// <param name="Secret">The <c>whsec_…</c> secret that signs its deliveries, as journaled (encrypted, or plain in earlier events).</param>
/// <param name="Enabled">False after a 410 Gone until re-enabled.</param>
/// <param name="DisabledReason">Why it was disabled, e.g. <c>410 Gone</c>.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="RegisteredSeqNr">The registry's sequence number of its registration: locates where its deliveries start.</param>
/// <param name="Tenant">Whose completions it receives (the registering API key's tenant); null for every tenant's.</param>
internal sealed record WebhookEndpoint(
    string Id, string Url, IReadOnlyList<string> Events, JournaledSecret Secret, bool Enabled, string? DisabledReason,
    DateTimeOffset CreatedAt, long RegisteredSeqNr, string? Tenant = null)
{
    /// <summary>Id of the built-in endpoint that delivers to per-task <c>webhookUrl</c>s.</summary>
    public const string TaskWebhooksId = "task-webhooks";

    /// <summary>
    /// Id of the built-in endpoint that delivers every state change of a task that asks for them (a Kling-style relay
    /// task's <c>callback_url</c>) to its <c>webhookUrl</c>.
    /// </summary>
    public const string TaskStatesId = "task-states";

    /// <summary>Whether <paramref name="id"/> names a built-in endpoint (it cannot be deleted, enabled or disabled).</summary>
    public static bool IsBuiltIn(string id) => id is TaskWebhooksId or TaskStatesId;

    /// <summary>Every completion type.</summary>
    public const string AllEvents = "*";

    public WebhookEndpointView View() => new(Id, Url, Events, Enabled, DisabledReason, CreatedAt) { Tenant = Tenant };

    public override string ToString() => $"WebhookEndpoint {{ Id = {Id}, Enabled = {Enabled} }}";

    /// <summary>The completion types an endpoint may ask for.</summary>
    public static readonly IReadOnlyList<string> EventTypes =
        Enum.GetValues<TaskLifecycle>().Where(s => s.IsTerminal()).Select(TaskCompletion.TypeFor).ToList();
}

/// <summary>The registry's state, folded from its journal (pure).</summary>
internal sealed record WebhookRegistryState(ImmutableDictionary<string, WebhookEndpoint> Endpoints, JournaledSecret? GeneratedTaskSecret)
{
    public static readonly WebhookRegistryState Empty = new(ImmutableDictionary<string, WebhookEndpoint>.Empty, null);

    /// <param name="e">The event.</param>
    /// <param name="seqNr">Its sequence number in the registry's journal.</param>
    public WebhookRegistryState Apply(IWebhookRegistryEvent e, long seqNr) => e switch
    {
        WebhookEndpointRegistered r => this with
        {
            Endpoints = Endpoints.SetItem(r.Id, new WebhookEndpoint(r.Id, r.Url, r.Events, r.Journaled(), true, null, r.At, seqNr, r.Tenant)),
        },
        WebhookEndpointDisabled d when Endpoints.TryGetValue(d.Id, out var ep) => this with
        {
            Endpoints = Endpoints.SetItem(d.Id, ep with { Enabled = false, DisabledReason = d.Reason }),
        },
        WebhookEndpointEnabled en when Endpoints.TryGetValue(en.Id, out var ep) => this with
        {
            Endpoints = Endpoints.SetItem(en.Id, ep with { Enabled = true, DisabledReason = null }),
        },
        WebhookEndpointDeleted d => this with { Endpoints = Endpoints.Remove(d.Id) },
        WebhookTaskSecretCreated s => this with { GeneratedTaskSecret = s.Journaled() },
        _ => this,
    };

    public override string ToString() => $"WebhookRegistryState {{ Endpoints = {Endpoints.Count} }}";
}
