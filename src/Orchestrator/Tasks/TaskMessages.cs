namespace Orchestrator.Tasks;

/// <summary>A message for one task, routed by id through the <see cref="TaskSupervisor"/> (shard-envelope ready).</summary>
internal interface ITaskCommand
{
    string TaskId { get; }
}

/// <summary>
/// Accept a validated request as task <c>TaskId</c>. <c>IsFreshId</c>: the id was minted just now, so there is nothing to
/// recover. <c>CreatedBy</c>: the <c>traceparent</c> of the caller's activity, kept with the task for its spans' links.
/// <c>DurableInBatch</c>: a batch hands over one of its lines, whose request its own journal holds already, so the task
/// may journal its acceptance with its first write (<see cref="TaskSubmitted.Accepted"/>).
/// </summary>
internal sealed record SubmitTask(string TaskId, GenerationRequest Request, bool IsFreshId, string? CreatedBy = null, bool DurableInBatch = false) : ITaskCommand;

internal sealed record GetTask(string TaskId) : ITaskCommand;

internal sealed record CancelTask(string TaskId) : ITaskCommand;

/// <summary>
/// Start (recover) a task that has not ended, e.g. after a process restart. <c>Resume</c>: cluster mode's waker wakes a
/// task that slept (<see cref="Cluster.TaskWaker"/>), and this is where its polling was; a task already awake ignores it.
/// </summary>
internal sealed record WakeTask(string TaskId, Lifecycle.TaskResume? Resume = null) : ITaskCommand;

/// <summary>
/// To a single node's <see cref="TaskSupervisor"/> once the read model has caught up after a start: these tasks have not
/// ended. It reads them back from the journal a few hundred at a time and lets those that only wait for the provider
/// sleep until their first poll; the others start as actors, as a <see cref="WakeTask"/> would start them.
/// </summary>
internal sealed record ResumeUnfinished(IReadOnlyList<string> TaskIds);

/// <summary>A provider's callback for this task, read into a snapshot; the task treats it as a fresh status.</summary>
internal sealed record ProviderCallback(string TaskId, Providers.ProviderTaskSnapshot Snapshot) : ITaskCommand;

/// <summary>
/// Cluster mode: the shard of this task moves to another node (a node joined or leaves). The task stops; it is woken
/// there at once (<see cref="GenerationTask"/> sends itself a <see cref="WakeTask"/> through the shard region).
/// </summary>
internal sealed record TaskHandOff;

/// <summary>Test and diagnostics probe: what the actor is waiting for right now.</summary>
internal sealed record GetTaskProgress(string TaskId) : ITaskCommand;

// Replies

internal sealed record TaskAcceptedReply(TaskView View, bool Created);

/// <summary>The idempotency key was used before for a different request.</summary>
internal sealed record IdempotencyConflict(string TaskId);

internal sealed record TaskNotFound(string TaskId);

internal sealed record CancelReply(TaskView View, bool Cancelled);

/// <summary>
/// What a live task waits on. Invariant: a task that has not ended has exactly one of a pending progress timer,
/// an outstanding permit request, or a provider call in flight. <c>WaitingForAccount</c>: the exception, a task whose
/// account is not configured waits on nothing but its deadline.
/// </summary>
internal sealed record TaskProgress(string TaskId, TaskLifecycle Status, bool TimerPending, bool AwaitingPermit, bool CallInFlight, int JournalWrites,
    bool WaitingForAccount = false);

/// <summary>Sent by a task actor to its supervisor when it may be stopped (ended and idle, or a long wait ahead).</summary>
internal sealed record Passivate(string TaskId);

/// <summary>
/// The task's answer to the supervisor's "now": stop me. <c>Resume</c> (a task that has not ended): wake me then, with
/// this; <c>SequenceNr</c> and <c>State</c>: its last journaled event and what its journal folds to, so the next
/// incarnation reads nothing back.
/// </summary>
internal sealed record TaskPassivated(string TaskId, Lifecycle.TaskResume? Resume, long SequenceNr, TaskState State);

/// <summary>The task's answer to the supervisor's "now" when something began since it offered: it stays.</summary>
internal sealed record PassivationDeclined(string TaskId);
