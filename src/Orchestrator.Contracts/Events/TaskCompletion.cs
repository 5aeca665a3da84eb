using Orchestrator.Tasks;

namespace Orchestrator.Events;

/// <summary>
/// A task that ended, as subscribers see it. <paramref name="Offset"/> is the event's position in the journal's
/// "task" tag stream: resume after it to miss nothing. <paramref name="EventId"/> is stable across re-deliveries
/// (the task id and the event's sequence number), so consumers drop duplicates by it.
/// </summary>
/// <param name="EventId">Stable id of this completion, e.g. <c>0195…-4.3</c>; also the webhook's <c>webhook-id</c>.</param>
/// <param name="Offset">Position in the journal; <c>id:</c> of the SSE stream and the value to resume from.</param>
/// <param name="Type">The event type: <c>task.succeeded</c>, <c>task.failed</c>, <c>task.timed_out</c> or <c>task.cancelled</c>.</param>
/// <param name="Task">The task's final view.</param>
public sealed record TaskCompletion(string EventId, long Offset, string Type, TaskView Task)
{
    /// <summary>The completion event type for a terminal status.</summary>
    public static string TypeFor(TaskLifecycle status) => "task." + status.WireName();

    /// <summary>
    /// The task's own webhook receives every state change of it (a Kling-style relay task with a callback): the state
    /// deliverer sends it this end too, in order after the others, so the completion deliverer leaves it out.
    /// </summary>
    internal bool WebhookEveryState { get; init; }
}
