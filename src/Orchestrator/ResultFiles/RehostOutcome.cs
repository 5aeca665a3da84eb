using Orchestrator.Tasks;

namespace Orchestrator.ResultFiles;

/// <summary>How re-hosting a task's results ended: every file stored, or the error the task fails with.</summary>
internal abstract record RehostOutcome
{
    // Closed: the two cases below are the only outcomes.
    private RehostOutcome()
    {
    }

    /// <summary>Every result file is in the store, in the order of the provider's list.</summary>
    internal sealed record Stored(IReadOnlyList<StoredFile> Files) : RehostOutcome;

    /// <summary>
    /// A file could not be kept; none of the task's files are left in the store. Codes: <c>result_too_large</c>,
    /// <c>result_download_failed</c> (retryable when the last failure was transient but attempts ran out).
    /// </summary>
    internal sealed record Failed(TaskError Error) : RehostOutcome;
}
