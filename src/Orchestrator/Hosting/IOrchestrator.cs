using Orchestrator.Batches;
using Orchestrator.Events;
using Orchestrator.Tasks;

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
    /// <exception cref="QueueFullException">The account's submit queue is at its bound.</exception>
    /// <exception cref="JournalUnavailableException">The journal cannot store the task now; nothing was stored.</exception>
    Task<(TaskView View, bool Created)> SubmitAsync(TaskSubmission submission, CancellationToken ct = default);

    /// <summary>The task's current view, or null if no such task exists.</summary>
    Task<TaskView?> GetAsync(string taskId, CancellationToken ct = default);

    /// <summary>Cancels a task that has not ended. Returns null for an unknown task; <c>Cancelled</c> is false when it had already ended.</summary>
    Task<(TaskView View, bool Cancelled)?> CancelAsync(string taskId, CancellationToken ct = default);

    /// <summary>
    /// Submits a stream of requests with back-pressure: they are validated one by one and accepted durably in small
    /// batches as the stream is read, so memory stays bounded however long the stream. Yields, in order, each request's
    /// accepted task (status <c>accepted</c>) or its validation errors. While the journal cannot take writes (a write
    /// stalled, or failing until a trial succeeds) the stream waits, as it does for any back-pressure, up to two minutes;
    /// then it throws <see cref="JournalUnavailableException"/>, and what was yielded before stays accepted.
    /// </summary>
    IAsyncEnumerable<TaskSubmitResult> SubmitManyAsync(IAsyncEnumerable<TaskSubmission> submissions, CancellationToken ct = default);

    /// <summary>
    /// Accepts a batch upload (the lines of <c>POST /v1/batches</c>): every valid line becomes a task, rejected lines are
    /// listed; with <paramref name="atomic"/> one rejected line rejects the whole batch. Durable when it returns.
    /// </summary>
    /// <exception cref="JournalUnavailableException">The journal cannot store the batch now; nothing of it was read or stored.</exception>
    Task<BatchAcceptance> SubmitBatchAsync(IAsyncEnumerable<BatchLineInput> lines, bool atomic, CancellationToken ct = default);

    /// <summary>
    /// <see cref="SubmitBatchAsync(IAsyncEnumerable{BatchLineInput}, bool, CancellationToken)"/> with its options: with
    /// <see cref="BatchSubmitOptions.IdempotencyKey"/>, the same upload sent again (to any node, after a restart) answers
    /// the batch it made before (<see cref="BatchAcceptance.Repeated"/>), and an upload of the key that never completed is
    /// replaced by this one.
    /// </summary>
    /// <exception cref="JournalUnavailableException">The journal cannot store the batch now; nothing of it was read or stored.</exception>
    /// <exception cref="BatchIdempotencyConflictException">The key made a batch from other lines; nothing of this upload runs.</exception>
    Task<BatchAcceptance> SubmitBatchAsync(IAsyncEnumerable<BatchLineInput> lines, BatchSubmitOptions options, CancellationToken ct = default);

    /// <summary>The batch's counts by status, throughput and ETA, or null for an unknown batch.</summary>
    Task<BatchView?> GetBatchAsync(string batchId, CancellationToken ct = default);

    /// <summary>The batch's tasks that have ended, by upload line (streamed page by page).</summary>
    IAsyncEnumerable<TaskView> BatchResultsAsync(string batchId, CancellationToken ct = default);

    /// <summary>
    /// Cancels what has not ended: queued tasks never start, started ones are cancelled. When every task had already
    /// ended nothing changes (<see cref="BatchCancelReply.AlreadyEnded"/>; the batch is not marked cancelled). Null for an unknown batch.
    /// </summary>
    Task<BatchCancelReply?> CancelBatchAsync(string batchId, CancellationToken ct = default);

    /// <summary>Tasks accepted since <paramref name="since"/> by status (only <paramref name="tenant"/>'s when given); see <see cref="TaskCounts"/>.</summary>
    Task<TaskCounts> CountTasksAsync(DateTimeOffset since, string? tenant = null, CancellationToken ct = default);

    /// <summary>The most recent acknowledged batches, newest first (only <paramref name="tenant"/>'s when given).</summary>
    Task<IReadOnlyList<BatchView>> ListBatchesAsync(int limit, string? tenant = null, CancellationToken ct = default);

    /// <summary>
    /// Runs the failed and timed-out lines of an ended batch again, as a new batch whose tasks keep their line numbers and
    /// name the task they retry (<see cref="TaskView.RetryOf"/>). Cancelled lines are not retried (a cancellation was
    /// somebody's decision), nor lines an earlier retry already runs. Null for an unknown batch.
    /// </summary>
    Task<BatchRetryOutcome?> RetryBatchAsync(string batchId, CancellationToken ct = default);

    /// <summary>What happened to a task, in order (see <see cref="TaskTimeline"/>), or null if no such task exists.</summary>
    Task<TaskTimeline?> TimelineAsync(string taskId, CancellationToken ct = default);

    /// <summary>Opens our stored copy of result file <paramref name="index"/> of a task, or null when there is none.</summary>
    Task<ResultFiles.StoredFileContent?> OpenResultAsync(string taskId, int index, CancellationToken ct = default);

    /// <summary>A page of tasks, newest first.</summary>
    /// <exception cref="TaskValidationException"><c>After</c> is not the id of a task (pass the previous page's <c>NextAfter</c>).</exception>
    Task<TaskPage> ListAsync(ListTasks query, CancellationToken ct = default);

    /// <summary>Waits until the task ends and returns its final view.</summary>
    /// <exception cref="UnknownTaskException">No such task.</exception>
    /// <exception cref="TimeoutException">It did not end within <paramref name="timeout"/>.</exception>
    Task<TaskView> WaitForCompletionAsync(string taskId, TimeSpan timeout, CancellationToken ct = default);

    /// <summary>
    /// Hands a provider's callback to the task: <c>false</c> when the token is wrong (the caller answers 401),
    /// <c>null</c> when the body is not the provider's task object (400). An unknown or ended task is ignored.
    /// </summary>
    Task<bool?> AcceptCallbackAsync(string provider, string taskId, string? token, System.Text.Json.JsonElement body, CancellationToken ct = default);

    /// <summary>
    /// Every task completion after <paramref name="fromOffset"/> (0 = from the first), live, in journal order. Resume after
    /// a restart from the last <see cref="TaskCompletion.Offset"/> handled; delivery is at-least-once, so drop repeats by
    /// <see cref="TaskCompletion.EventId"/>. Unlike <c>GET /v1/events</c>, which starts now when given no position, the
    /// default here replays the whole history: an embedding host usually keeps its own offset and wants nothing missed.
    /// </summary>
    IAsyncEnumerable<TaskCompletion> CompletionsAsync(long fromOffset = 0, CancellationToken ct = default);

    /// <summary>Every configured provider account; for enabled ones their throttle's rate, concurrency, queues and limit answers.</summary>
    Task<IReadOnlyList<ProviderAccountStatus>> ProvidersAsync(CancellationToken ct = default);

    /// <summary>
    /// The unfinished tasks with no pending timer, permit request or provider call (or more than one), and those whose
    /// actor did not answer within a few seconds. Tasks asleep through a long wait are counted, not woken.
    /// </summary>
    Task<StuckTaskReport> StuckTasksAsync(CancellationToken ct = default);
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

/// <summary>How a batch upload is taken.</summary>
/// <param name="Atomic">One rejected line rejects the whole batch.</param>
/// <param name="IdempotencyKey">
/// Names the upload (1 to 200 characters): sending it again never makes a second batch. Scope it to whoever sends it (the
/// HTTP API scopes it to the key's tenant); the batch's id is derived from it.
/// </param>
public sealed record BatchSubmitOptions(bool Atomic = false, string? IdempotencyKey = null);

/// <summary>
/// The batch idempotency key was already used for an upload of other lines, or (<see cref="TakenOver"/>) another upload
/// with the key took the batch over while this one was still being sent. Nothing of this upload runs.
/// </summary>
public sealed class BatchIdempotencyConflictException : Exception
{
    /// <summary>The key's batch was uploaded with other lines.</summary>
    public BatchIdempotencyConflictException(string batchId) : this(batchId, takenOver: false) { }

    /// <param name="batchId">The batch that owns the key.</param>
    /// <param name="takenOver">A later upload with the key took the batch over while this one was being sent.</param>
    public BatchIdempotencyConflictException(string batchId, bool takenOver)
        : base(takenOver
            ? $"Another upload with the same idempotency key took batch {batchId} over while this one was being sent; the batch is that upload's."
            : $"The idempotency key is already used by batch {batchId}, uploaded with other lines.")
    {
        BatchId = batchId;
        TakenOver = takenOver;
    }

    /// <summary>The batch that owns the key.</summary>
    public string BatchId { get; }

    /// <summary>Another upload with the key took the batch over while this one was being sent (two at once).</summary>
    public bool TakenOver { get; }
}

/// <summary>The provider account's submit queue is full: try again after <see cref="RetryAfter"/>. Nothing was persisted.</summary>
public sealed class QueueFullException(string account, int queued, TimeSpan retryAfter)
    : Exception($"Provider account '{account}' already has {queued} tasks waiting to be submitted; try again in {retryAfter.TotalSeconds:0} s.")
{
    /// <summary>The account whose queue is full.</summary>
    public string Account { get; } = account;

    /// <summary>When to try again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The journal cannot store anything now (a write failed and none has succeeded since, or one has been under way for
/// seconds: the database locked, down, full or overwhelmed). The message says whether anything may have been stored;
/// try again after <see cref="RetryAfter"/> (a submit retried with the same idempotency key never makes a second task).
/// </summary>
public sealed class JournalUnavailableException(string message, TimeSpan retryAfter) : Exception(message)
{
    /// <summary>When to try again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>No task has this id.</summary>
public sealed class UnknownTaskException(string taskId) : Exception($"No task with id '{taskId}'.")
{
    /// <summary>The id asked for.</summary>
    public string TaskId { get; } = taskId;
}

/// <summary>A batch upload holds more lines than <see cref="BatchOptions.MaxLines"/>: it was refused whole, nothing of it runs.</summary>
public sealed class BatchTooLargeException(int maxLines)
    : Exception($"A batch holds at most {maxLines.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} lines (Orchestrator:Batches:MaxLines); split the file.")
{
    /// <summary>The limit that was passed.</summary>
    public int MaxLines { get; } = maxLines;
}
