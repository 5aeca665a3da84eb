using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>One line of a batch upload as read: its 1-based number and either a request or why it could not be read.</summary>
public sealed record BatchLineInput(int Line, TaskSubmission? Submission, FieldError? Error = null);

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
internal static class QueuedTaskViews
{
    public static TaskView Of(string taskId, BatchEntry entry, string batchId, DateTimeOffset createdAt, bool cancelled, DateTimeOffset? cancelledAt)
    {
        var r = entry.Request;
        return new TaskView(taskId, r.Provider, r.Kind.WireName(), r.Model, cancelled ? TaskLifecycle.Cancelled : TaskLifecycle.Accepted,
            null, [], null, 0, 0, createdAt, null, cancelled ? cancelledAt : null, null, r.Metadata, r.WebhookUrl)
        {
            BatchId = batchId,
            BatchLine = entry.Line,
            RetryOf = r.RetryOf,
        };
    }
}
