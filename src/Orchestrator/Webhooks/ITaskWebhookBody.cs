using Orchestrator.Events;

namespace Orchestrator.Webhooks;

/// <summary>
/// Shapes the body a task's own <c>webhookUrl</c> receives when the task ends (internal: the server's hook, not embedding API). The default is the signed
/// <see cref="WebhookPayload"/>; a host may answer another shape for some tasks (the server's drop-in relay POSTs the
/// provider's own callback body to a relay client's <c>callback_url</c>). Delivery, signature headers and the retry
/// schedule stay those of every webhook.
/// </summary>
internal interface ITaskWebhookBody
{
    /// <summary>The body for <paramref name="completion"/>, or null for the default <see cref="WebhookPayload"/>.</summary>
    string? BodyFor(TaskCompletion completion);
}

/// <summary>Every task webhook gets the <see cref="WebhookPayload"/>.</summary>
internal sealed class DefaultTaskWebhookBody : ITaskWebhookBody
{
    public static readonly DefaultTaskWebhookBody Instance = new();

    public string? BodyFor(TaskCompletion completion) => null;
}
