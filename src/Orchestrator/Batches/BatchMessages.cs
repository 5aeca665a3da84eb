using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>A message for one batch, routed by id through the <see cref="BatchDirectory"/>.</summary>
internal interface IBatchCommand
{
    string BatchId { get; }
}

/// <summary>
/// Opens a batch; <c>RetryOf</c> names the batch whose failed lines it runs again. <c>Upload</c> (an idempotency key's
/// batch only) names this upload: it starts over a batch opened but never sealed by an earlier one. Answered with
/// <see cref="BatchStatus"/> (sealed already: the intake compares the upload with it instead of storing it).
/// </summary>
internal sealed record OpenBatch(string BatchId, bool Atomic, string? RetryOf = null, string? Upload = null) : IBatchCommand;

/// <summary>Records that <c>Lines</c> run again in batch <c>RetryBatchId</c>. Answered with <see cref="BatchStatus"/>.</summary>
internal sealed record NoteRetried(string BatchId, string RetryBatchId, IReadOnlyList<int> Lines) : IBatchCommand;

/// <summary>Persist these accepted lines as one event; answered with <see cref="ChunkStored"/>.</summary>
internal sealed record StoreChunk(string BatchId, IReadOnlyList<BatchEntry> Entries, string? Upload = null) : IBatchCommand;

internal sealed record ChunkStored(string BatchId, int Total);

/// <summary>
/// The answer to a chunk or seal of an upload that a later upload with the same idempotency key took over (the batch
/// is that one's now): the client is told so (409), not a server fault.
/// </summary>
internal sealed record UploadTakenOver(string BatchId);

/// <summary>The upload is complete: acknowledge it and start its tasks. Answered with <see cref="BatchStatus"/>.</summary>
internal sealed record SealBatch(string BatchId, int Accepted, int RejectedCount, string? Upload = null, string? ContentHash = null) : IBatchCommand;

/// <summary>
/// Opens, stores and seals a batch whose accepted lines fit in one chunk, in one journal write (the three events persisted
/// together): what <c>SubmitManyAsync</c> cuts a stream into, and most small uploads. Three round trips to the journal
/// were three waits in its queue before the first task could start. Answered with <see cref="BatchStatus"/>.
/// </summary>
internal sealed record StoreWholeBatch(string BatchId, bool Atomic, IReadOnlyList<BatchEntry> Entries, int RejectedCount, string? RetryOf = null) : IBatchCommand;

/// <summary>The upload failed or an atomic batch had a rejected line: drop it (unless a later upload of its key took it over). Answered with <see cref="BatchStatus"/>.</summary>
internal sealed record AbandonBatch(string BatchId, string Reason, string? Upload = null) : IBatchCommand;

internal sealed record GetBatch(string BatchId) : IBatchCommand;

/// <summary>Answered with the task's view while it is still queued in its batch, else <see cref="TaskNotFound"/>.</summary>
internal sealed record GetQueuedTask(string BatchId, string TaskId, int Line) : IBatchCommand;

/// <summary>Answered with <see cref="BatchCancelReply"/>.</summary>
internal sealed record CancelBatch(string BatchId) : IBatchCommand;

/// <summary>Start (recover) a batch after a restart so that its queued tasks continue.</summary>
internal sealed record WakeBatch(string BatchId) : IBatchCommand;

/// <summary>Sent by a batch to its directory when it has no work left and has been idle: it may be stopped.</summary>
internal sealed record BatchIdle(string BatchId);

/// <summary>Find the batch a task id's prefix belongs to and ask it for the queued task.</summary>
internal sealed record FindQueuedTask(string TaskId);

internal sealed record BatchNotFound(string BatchId);

/// <summary>What the batch itself knows; task statuses come from the read model.</summary>
internal sealed record BatchStatus(
    string BatchId, DateTimeOffset CreatedAt, int Total, int RejectedCount, int Released,
    bool Sealed, bool Cancelled, string? AbandonedReason, IReadOnlyCollection<string> Accounts)
{
    /// <summary>The tenant every task of the batch belongs to; null when they name none, or different ones.</summary>
    public string? Tenant { get; init; }

    /// <summary>The batch whose failed lines this one runs again, or null.</summary>
    public string? RetryOf { get; init; }

    /// <summary>The batches that run this one's failed lines again, oldest first.</summary>
    public IReadOnlyList<string> Retries { get; init; } = [];

    /// <summary>Lines already run again by one of <see cref="Retries"/>.</summary>
    public IReadOnlySet<int> RetriedLines { get; init; } = new HashSet<int>();

    /// <summary>The upload an idempotency key's batch belongs to now (the latest to open it), or null.</summary>
    public string? Upload { get; init; }

    /// <summary>The sealed upload's content hash (idempotency key batches only), or null.</summary>
    public string? ContentHash { get; init; }
}

/// <summary>The answer to cancelling a batch.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="QueuedCancelled">Tasks still queued in the batch: they end cancelled without ever starting.</param>
/// <param name="StartedAsked">Started tasks that had not ended: each is cancelled (tasks that had ended are left as they are).</param>
/// <param name="AlreadyCancelled">The batch had been cancelled before: nothing more was done.</param>
/// <param name="AlreadyEnded">Every task had already ended: nothing was cancelled and the batch is not marked cancelled.</param>
public sealed record BatchCancelReply(string BatchId, int QueuedCancelled, int StartedAsked, bool AlreadyCancelled, bool AlreadyEnded = false);

/// <summary>Published on the event stream when retention has removed a batch: whoever holds it in memory lets it go.</summary>
internal sealed record BatchPurged(string BatchId);
