using Orchestrator.Events;
using Orchestrator.Webhooks;

namespace Orchestrator.Server.Relay;

/// <summary>
/// A relay task's <c>callback_url</c> / <c>callback</c> receives the provider's own callback body when the task ends:
/// Kling's bare task object, or Chanjing's query object in its envelope. It is delivered as every task webhook is (same
/// retry schedule, Standard Webhooks headers beside it); tasks that did not come through the relay keep our payload.
/// </summary>
internal sealed class RelayCallbackBodies(RelayResultLinks links) : ITaskWebhookBody
{
    public string? BodyFor(TaskCompletion completion)
    {
        var view = completion.Task;
        return view.Metadata?.GetValueOrDefault(RelaySubmissions.StyleKey) switch
        {
            "dmxapi" or "kling" => KlingRelayAnswers.TaskObject(view, links, null).ToJsonString(),
            "chanjing" => ChanjingRelayAnswers.Envelope(0, "success", ChanjingRelayAnswers.TaskObject(view, links, null)).ToJsonString(),
            _ => null,
        };
    }
}
