namespace Orchestrator.Tasks;

/// <summary>A message for one task, routed by id through the <see cref="TaskSupervisor"/> (shard-envelope ready).</summary>
public interface ITaskCommand
{
    string TaskId { get; }
}

/// <summary>Accept a validated request as task <c>TaskId</c>. <c>IsFreshId</c>: the id was minted just now, so there is nothing to recover.</summary>
public sealed record SubmitTask(string TaskId, GenerationRequest Request, bool IsFreshId) : ITaskCommand;

public sealed record GetTask(string TaskId) : ITaskCommand;

public sealed record CancelTask(string TaskId) : ITaskCommand;

/// <summary>Start (recover) a task that has not ended, e.g. after a process restart.</summary>
public sealed record WakeTask(string TaskId) : ITaskCommand;

/// <summary>A provider's callback for this task, read into a snapshot; the task treats it as a fresh status.</summary>
public sealed record ProviderCallback(string TaskId, Providers.ProviderTaskSnapshot Snapshot) : ITaskCommand;

/// <summary>Test and diagnostics probe: what the actor is waiting for right now.</summary>
public sealed record GetTaskProgress(string TaskId) : ITaskCommand;

// Replies

public sealed record TaskAcceptedReply(TaskView View, bool Created);

/// <summary>The idempotency key was used before for a different request.</summary>
public sealed record IdempotencyConflict(string TaskId);

public sealed record TaskNotFound(string TaskId);

public sealed record CancelReply(TaskView View, bool Cancelled);

/// <summary>
/// What a live task waits on. Invariant: a task that has not ended has exactly one of a pending progress timer,
/// an outstanding permit request, or a provider call in flight.
/// </summary>
public sealed record TaskProgress(string TaskId, TaskLifecycle Status, bool TimerPending, bool AwaitingPermit, bool CallInFlight, int JournalWrites);

/// <summary>Published on the event stream on every change a user could see.</summary>
public sealed record TaskViewChanged(TaskView View);

/// <summary>Sent by a task actor to its supervisor when it may be stopped (it has ended and gone idle).</summary>
public sealed record Passivate(string TaskId);
