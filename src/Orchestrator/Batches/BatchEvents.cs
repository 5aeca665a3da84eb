using Orchestrator.Persistence;
using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>
/// Journal events of one batch. Its requests are persisted a chunk at a time (one event per chunk, not per task);
/// a task's own actor and its first write come only when its account can take more work.
/// </summary>
internal interface IBatchEvent : IOrchestratorEvent
{
    string BatchId { get; }
}

/// <summary>One accepted line: its 1-based line number in the upload and its validated request.</summary>
internal sealed record BatchEntry(int Line, GenerationRequest Request);

/// <summary>
/// A batch begins. <c>RetryOf</c>: the batch whose failed lines it runs again (absent in older journals). <c>Upload</c>
/// names the upload of an idempotency key's batch: a second <see cref="BatchOpened"/> before the seal (the first upload
/// died half-way, and nothing of it ran) starts the batch over, and only the latest upload's chunks, seal or abandon count.
/// </summary>
internal sealed record BatchOpened(string BatchId, bool Atomic, DateTimeOffset At, string? RetryOf = null, string? Upload = null) : IBatchEvent;

internal sealed record BatchChunkStored(string BatchId, IReadOnlyList<BatchEntry> Entries) : IBatchEvent;

/// <summary>
/// The upload ended and every chunk is durable: the batch is acknowledged and its tasks may start. Rejected lines are
/// only counted (<c>RejectedCount</c>): their errors went back in the upload's answer, and a million of them made one
/// event of hundreds of megabytes. <c>Rejected</c> is what earlier versions wrote, read for their batches, now written empty.
/// <c>ContentHash</c>: of an idempotency key's upload, to tell the same upload sent again from another one under the key.
/// </summary>
internal sealed record BatchSealed(string BatchId, int Accepted, IReadOnlyList<LineRejection> Rejected, DateTimeOffset At, int? RejectedCount = null,
    string? ContentHash = null) : IBatchEvent;

/// <summary>The upload failed or an atomic batch had a rejected line: none of its tasks will run.</summary>
internal sealed record BatchAbandoned(string BatchId, string Reason, DateTimeOffset At) : IBatchEvent;

/// <summary>Tasks up to this count are about to be handed to their actors (they may exist after a crash).</summary>
internal sealed record BatchReleaseMarked(string BatchId, int UpTo) : IBatchEvent;

/// <summary>
/// The user cancelled the batch: queued tasks end cancelled without ever starting; started ones are cancelled.
/// <c>QueuedFrom</c>: tasks from this release position on had not started; each gets a <see cref="TaskCancelledQueued"/>.
/// </summary>
internal sealed record BatchCancelled(string BatchId, DateTimeOffset At, int QueuedFrom = 0) : IBatchEvent;

/// <summary>
/// These lines (failed or timed out) run again in batch <c>RetryBatchId</c>: a later retry of this batch leaves them out,
/// so a second click makes no second copy.
/// </summary>
internal sealed record BatchRetried(string BatchId, string RetryBatchId, IReadOnlyList<int> Lines, DateTimeOffset At) : IBatchEvent;
