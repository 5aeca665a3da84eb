using Orchestrator.Tasks;
using Orchestrator.Throttling;

namespace Orchestrator.Hosting;

/// <summary>The orchestrator as a host service uses it (the HTTP API is a thin layer over the same calls).</summary>
public interface IOrchestrator
{
    /// <summary>True once the journal has been read and interrupted tasks have been resumed.</summary>
    bool IsReady { get; }

    /// <summary>Completes when <see cref="IsReady"/> becomes true.</summary>
    Task WhenReady { get; }

    /// <summary>
    /// Validates and durably accepts a task. Returns the task's view and whether it was created now
    /// (false when the idempotency key named an existing task).
    /// </summary>
    /// <exception cref="TaskValidationException">A field is invalid; nothing was persisted.</exception>
    /// <exception cref="IdempotencyConflictException">The idempotency key was used before with another request.</exception>
    Task<(TaskView View, bool Created)> SubmitAsync(TaskSubmission submission, CancellationToken ct = default);

    /// <summary>The task's current view, or null if no such task exists.</summary>
    Task<TaskView?> GetAsync(string taskId, CancellationToken ct = default);

    /// <summary>Cancels a task that has not ended. Returns null for an unknown task; <c>Cancelled</c> is false when it had already ended.</summary>
    Task<(TaskView View, bool Cancelled)?> CancelAsync(string taskId, CancellationToken ct = default);

    /// <summary>A page of tasks, newest first.</summary>
    Task<TaskPage> ListAsync(ListTasks query, CancellationToken ct = default);

    /// <summary>Waits until the task ends and returns its final view.</summary>
    /// <exception cref="UnknownTaskException">No such task.</exception>
    /// <exception cref="TimeoutException">It did not end within <paramref name="timeout"/>.</exception>
    Task<TaskView> WaitForCompletionAsync(string taskId, TimeSpan timeout, CancellationToken ct = default);

    /// <summary>Each provider account's throttle: configured and effective rate, queues, limit answers.</summary>
    Task<IReadOnlyList<ThrottleStats>> ProvidersAsync(CancellationToken ct = default);
}

/// <summary>A request was rejected; <see cref="Errors"/> names each field. Nothing was persisted.</summary>
public sealed class TaskValidationException(IReadOnlyList<FieldError> errors)
    : Exception("Invalid task request: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    /// <summary>The rejected fields.</summary>
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>The idempotency key was already used for a different request.</summary>
public sealed class IdempotencyConflictException(string taskId)
    : Exception($"The idempotency key is already used by task {taskId} with a different request.")
{
    /// <summary>The task that owns the key.</summary>
    public string TaskId { get; } = taskId;
}

/// <summary>No task has this id.</summary>
public sealed class UnknownTaskException(string taskId) : Exception($"No task with id '{taskId}'.")
{
    /// <summary>The id asked for.</summary>
    public string TaskId { get; } = taskId;
}
