using Orchestrator.Persistence;

namespace Orchestrator.Tasks;

/// <summary>
/// Journal events of one generation task. Only what a restart cannot re-derive is persisted:
/// the accepted request, the provider's task id (and, for providers without an external id,
/// that a submit was attempted), and the end. "submitting" and "processing" are re-derived from
/// the provider after a restart, so they cost no write.
/// </summary>
internal interface ITaskEvent : IOrchestratorEvent
{
    string TaskId { get; }
    DateTimeOffset At { get; }
}

/// <summary>
/// An event of a task whose <c>webhookUrl</c> receives every state change (<see cref="GenerationRequest.WebhookEveryState"/>):
/// it is also tagged <see cref="TaskStateEvents.JournalTag"/>, the stream the state deliverer follows.
/// </summary>
internal interface IAnnouncedTaskEvent : ITaskEvent
{
    /// <summary>True for such a task's events (absent, so null, for every other task's).</summary>
    bool? WebhookEveryState { get; }
}

/// <summary>What decides which task events are state changes a task's own webhook receives.</summary>
internal static class TaskStateEvents
{
    /// <summary>The journal tag of the state changes of tasks that announce every state (besides <c>task</c>).</summary>
    public const string JournalTag = "task-state";

    /// <summary>Whether <paramref name="e"/> is a state change announced to its task's webhook.</summary>
    public static bool IsAnnounced(ITaskEvent e) => e switch
    {
        TaskAccepted a => a.Request.WebhookEveryState == true,
        TaskProcessing => true,
        IAnnouncedTaskEvent x => x.WebhookEveryState == true,
        _ => false,
    };

    /// <summary><paramref name="e"/> marked as announced, when it is an end (the only events that need the mark: the others say it themselves).</summary>
    public static ITaskEvent Announced(ITaskEvent e) => e switch
    {
        TaskSucceeded s => s with { WebhookEveryState = true },
        TaskFailed f => f with { WebhookEveryState = true },
        TaskTimedOut t => t with { WebhookEveryState = true },
        TaskCancelled c => c with { WebhookEveryState = true },
        _ => e,
    };
}

/// <summary>
/// The task is accepted. <c>CreatedBy</c>: the W3C <c>traceparent</c> of the request that created it (absent without
/// tracing and in older journals), so every provider-call span links back to that request, after a restart too.
/// </summary>
internal sealed record TaskAccepted(string TaskId, GenerationRequest Request, DateTimeOffset At, string? CreatedBy = null) : ITaskEvent;

/// <summary>
/// Written before a submit to a provider that takes no external id (Chanjing): a crash after it marks a possible duplicate.
/// <c>PossibleDuplicate</c>: an earlier attempt may have reached the provider (its answer was never seen: a crash, a
/// timeout, a connection lost), so this one may create a second task there. Absent in older journals: false.
/// </summary>
internal sealed record TaskSubmitAttempted(string TaskId, int Attempt, DateTimeOffset At, bool PossibleDuplicate = false) : ITaskEvent;

/// <summary>
/// The provider refused an attempted submit in a way that proves it created nothing (a rate limit, a refused
/// connection): the attempt recorded by <see cref="TaskSubmitAttempted"/> is settled, and counts only when <c>Counted</c>.
/// </summary>
internal sealed record TaskSubmitRefused(string TaskId, int Attempt, bool Counted, DateTimeOffset At) : ITaskEvent;

/// <summary>
/// The provider took the task and gave it this id. <c>Accepted</c>: the acceptance of a batch task, written here with
/// its submit rather than as an event of its own. Its request was durable in its batch's chunk already
/// (<see cref="Batches.BatchChunkStored"/>), so the task's own journal needs it only from its first write: one journal
/// row fewer per task. Absent for every other task and in older journals.
/// </summary>
internal sealed record TaskSubmitted(string TaskId, string ProviderTaskId, int SubmitAttempts, DateTimeOffset At) : ITaskEvent
{
    public TaskAccepted? Accepted { get; init; }
}

/// <summary>
/// The provider said the task runs: journaled only for a task whose webhook receives every state
/// (<see cref="GenerationRequest.WebhookEveryState"/>), so that the change is delivered after a crash too; every other
/// task re-derives "processing" from the provider and pays no write for it.
/// </summary>
internal sealed record TaskProcessing(string TaskId, DateTimeOffset At) : ITaskEvent;

internal sealed record TaskSucceeded(string TaskId, IReadOnlyList<TaskResult> Results, int Polls, DateTimeOffset At) : IAnnouncedTaskEvent
{
    public bool? WebhookEveryState { get; init; }
}

internal sealed record TaskFailed(string TaskId, TaskError Error, int SubmitAttempts, int Polls, DateTimeOffset At) : IAnnouncedTaskEvent
{
    public bool? WebhookEveryState { get; init; }
}

internal sealed record TaskTimedOut(string TaskId, int Polls, DateTimeOffset At) : IAnnouncedTaskEvent
{
    public bool? WebhookEveryState { get; init; }
}

internal sealed record TaskCancelled(string TaskId, int Polls, DateTimeOffset At) : IAnnouncedTaskEvent
{
    public bool? WebhookEveryState { get; init; }
}

/// <summary>
/// A task cancelled with its batch before it ever started: written by the batch (the task has no journal of its own),
/// so the task still ends clearly — in the read model, the completion stream and webhooks — at one write per task.
/// </summary>
internal sealed record TaskCancelledQueued(string TaskId, GenerationRequest Request, DateTimeOffset At) : ITaskEvent;
