using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>
/// The answer to a batch upload. <paramref name="BatchId"/> is null when nothing was accepted (every line rejected,
/// or an atomic batch with a rejected line); <paramref name="Rejected"/> lists the first rejected lines and why (the
/// server lists at most <c>Orchestrator:Batches:MaxListedRejections</c>), <paramref name="RejectedCount"/> counts them all.
/// </summary>
/// <param name="BatchId">The new batch's id, or null.</param>
/// <param name="Accepted">Lines accepted as tasks.</param>
/// <param name="Rejected">The first lines refused, each with its field errors.</param>
/// <param name="RejectedCount">Every line refused, listed or not.</param>
public sealed record BatchAcceptance(string? BatchId, int Accepted, IReadOnlyList<LineRejection> Rejected, int RejectedCount)
{
    /// <summary>Lines refused, from <see cref="RejectedCount"/> or, from a server that sent no count, the list.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int RejectedTotal => Math.Max(RejectedCount, Rejected.Count);

    /// <summary>
    /// The upload was sent before under its idempotency key and made this batch then: nothing new was stored (the HTTP
    /// API answers 200 instead of 202).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Repeated { get; init; }
}

/// <summary>A rejected line and why.</summary>
/// <param name="Line">Its 1-based number in the upload, as an editor counts.</param>
/// <param name="Errors">What is wrong with it.</param>
public sealed record LineRejection(int Line, IReadOnlyList<FieldError> Errors);

/// <summary>A batch as <c>GET /v1/batches/{id}</c> shows it.</summary>
/// <param name="BatchId">Its id.</param>
/// <param name="CreatedAt">When it was acknowledged.</param>
/// <param name="Total">Accepted tasks.</param>
/// <param name="Rejected">Rejected lines.</param>
/// <param name="Counts">Tasks by status (snake case); tasks still queued in the batch count as <c>accepted</c>.</param>
/// <param name="Ended">Tasks that ended, whatever the status.</param>
/// <param name="Cancelled">Whether the batch was cancelled.</param>
/// <param name="ThroughputPerSecond">Ended tasks per second since it was acknowledged.</param>
/// <param name="EtaSeconds">
/// Seconds until every task left ends (queued ones included) at the rate its tasks have been ending; null when nothing
/// is left or too few have ended to measure a rate.
/// </param>
/// <param name="CompletedAt">When its last task ended, or null.</param>
public sealed record BatchView(
    string BatchId, DateTimeOffset CreatedAt, int Total, int Rejected, IReadOnlyDictionary<string, int> Counts, int Ended,
    bool Cancelled, double ThroughputPerSecond, double? EtaSeconds, DateTimeOffset? CompletedAt)
{
    /// <summary>The tenant its tasks belong to (the uploading API key's); null when they name none, or different ones.</summary>
    public string? Tenant { get; init; }

    /// <summary>The batch whose failed lines this batch runs again, or null.</summary>
    public string? RetryOf { get; init; }

    /// <summary>The batches that run this batch's failed lines again, oldest first.</summary>
    public IReadOnlyList<string> Retries { get; init; } = [];
}

/// <summary>
/// The answer to <c>POST /v1/batches/{id}/retry</c> (202): the batch's failed and timed-out lines, not retried before,
/// run again as a new batch whose tasks keep their line numbers and name the task they retry.
/// </summary>
/// <param name="BatchId">The new batch.</param>
/// <param name="RetryOf">The batch whose lines it retries.</param>
/// <param name="Retried">Tasks in the new batch.</param>
/// <param name="Tasks">Each new task, its line and the task it retries.</param>
public sealed record BatchRetryAcceptance(string BatchId, string RetryOf, int Retried, IReadOnlyList<RetriedTask> Tasks)
{
    /// <summary>Lines validation refuses now (e.g. their account is no longer configured): they were not retried.</summary>
    public IReadOnlyList<LineRejection> Rejected { get; init; } = [];
}

/// <summary>One line run again.</summary>
/// <param name="Line">Its line, the same in both batches.</param>
/// <param name="TaskId">The new task.</param>
/// <param name="RetryOf">The task it runs again.</param>
public sealed record RetriedTask(int Line, string TaskId, string RetryOf);

/// <summary>The answer to <c>GET /v1/batches</c>: the most recent batches, newest first.</summary>
/// <param name="Items">Their views.</param>
public sealed record BatchList(IReadOnlyList<BatchView> Items);

/// <summary>
/// The answer to <c>DELETE /v1/batches/{id}</c>: tasks still queued in the batch are cancelled at once; tasks already
/// handed to their provider are asked to cancel. Readers should tolerate fields being added.
/// </summary>
/// <param name="BatchId">The batch.</param>
/// <param name="QueuedCancelled">Queued tasks that will never start.</param>
/// <param name="StartedCancelled">Started tasks asked to cancel (those that have not ended end cancelled).</param>
/// <param name="AlreadyCancelled">Whether the batch had been cancelled before.</param>
public sealed record BatchCancellation(string BatchId, int QueuedCancelled, int StartedCancelled, bool AlreadyCancelled);
