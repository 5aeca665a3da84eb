namespace Orchestrator.Tasks;

/// <summary>A page of tasks, newest first. <c>After</c> is the last id of the previous page.</summary>
public sealed record ListTasks(TaskLifecycle? Status, string? Provider, int Limit, string? After)
{
    /// <summary>Only tasks whose <c>metadata.tenant</c> is this; null lists every tenant's.</summary>
    public string? Tenant { get; init; }

    /// <summary>Only the tasks of this batch; null lists tasks of every batch and none.</summary>
    public string? Batch { get; init; }
}

/// <summary>
/// A batch's started tasks by status; <c>Known</c> is how many have started (the rest are queued in the batch);
/// <c>LastEndedAt</c> is when the latest of them ended.
/// </summary>
internal sealed record BatchTally(string BatchId, IReadOnlyDictionary<TaskLifecycle, int> Counts, int Known, DateTimeOffset? LastEndedAt);

/// <summary>A page of a batch's tasks by upload line (after <c>AfterLine</c>); <c>EndedOnly</c> keeps those that ended.</summary>
internal sealed record ListBatchTasks(string BatchId, int AfterLine, int Limit, bool EndedOnly);

/// <summary><c>NextAfterLine</c> is null on the last page.</summary>
internal sealed record BatchTaskPage(IReadOnlyList<TaskView> Items, int? NextAfterLine);
