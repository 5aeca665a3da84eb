using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>One line of a batch upload as read: its 1-based number and either a request or why it could not be read.</summary>
public sealed record BatchLineInput(int Line, TaskSubmission? Submission, FieldError? Error = null);

/// <summary>
/// The answer to a batch upload. <paramref name="BatchId"/> is null when nothing was accepted (every line rejected,
/// or an atomic batch with a rejected line); <paramref name="Rejected"/> lists each rejected line and why.
/// </summary>
public sealed record BatchAcceptance(string? BatchId, int Accepted, IReadOnlyList<LineRejection> Rejected);

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
    bool Cancelled, double ThroughputPerSecond, double? EtaSeconds, DateTimeOffset? CompletedAt);

/// <summary>
/// The outcome of one request given to <c>SubmitManyAsync</c>: its 0-based position in the stream and the accepted
/// task's view, or the validation errors (nothing was persisted for it).
/// </summary>
public sealed record TaskSubmitResult(int Index, TaskView? Task, IReadOnlyList<FieldError>? Errors)
{
    /// <summary>Whether it was accepted.</summary>
    public bool Accepted => Task is not null;
}

/// <summary>The view of a task still queued in its batch (it has no actor or journal of its own yet).</summary>
public static class QueuedTaskViews
{
    public static TaskView Of(string taskId, BatchEntry entry, string batchId, DateTimeOffset createdAt, bool cancelled, DateTimeOffset? cancelledAt)
    {
        var r = entry.Request;
        return new TaskView(taskId, r.Provider, r.Kind.WireName(), r.Model, cancelled ? TaskLifecycle.Cancelled : TaskLifecycle.Accepted,
            null, [], null, 0, 0, createdAt, null, cancelled ? cancelledAt : null, null, r.Metadata, r.WebhookUrl)
        {
            BatchId = batchId,
            BatchLine = entry.Line,
        };
    }
}
