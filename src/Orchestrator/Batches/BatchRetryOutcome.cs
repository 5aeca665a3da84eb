namespace Orchestrator.Batches;

/// <summary>What <c>IOrchestrator.RetryBatchAsync</c> did.</summary>
public abstract record BatchRetryOutcome
{
    private BatchRetryOutcome() { }

    /// <summary>The failed lines run again as a new batch.</summary>
    /// <param name="Acceptance">The new batch, its tasks and the ones they retry.</param>
    public sealed record Retried(BatchRetryAcceptance Acceptance) : BatchRetryOutcome;

    /// <summary>Some of its tasks have not ended: a retry waits until they have (or the batch is cancelled).</summary>
    /// <param name="Ended">Tasks that ended.</param>
    /// <param name="Total">Tasks in the batch.</param>
    public sealed record StillRunning(int Ended, int Total) : BatchRetryOutcome;

    /// <summary>No failed or timed-out line is left that has not been retried already.</summary>
    /// <param name="Retries">The batches that already retry its lines, oldest first.</param>
    public sealed record NothingToRetry(IReadOnlyList<string> Retries) : BatchRetryOutcome;

    /// <summary>Every line to retry was refused by validation now (e.g. its account is no longer configured).</summary>
    /// <param name="Rejected">Each line and why.</param>
    public sealed record Refused(IReadOnlyList<LineRejection> Rejected) : BatchRetryOutcome;
}
