namespace Orchestrator.Tasks;

/// <summary>A page of tasks, newest first. <c>After</c> is the last id of the previous page.</summary>
public sealed record ListTasks(TaskLifecycle? Status, string? Provider, int Limit, string? After);

/// <summary>Answered with <see cref="LoadedOffset"/> once the catalog has read the journal.</summary>
internal sealed record GetLoadedOffset
{
    public static readonly GetLoadedOffset Instance = new();
}

/// <summary>The highest journal offset of the "task" tag the catalog read at start (0 for an empty journal).</summary>
internal sealed record LoadedOffset(long Offset);

/// <summary>Answered with the task's view once it has ended (at once if it already has), or <see cref="TaskNotFound"/>.</summary>
internal sealed record AwaitTaskEnd(string TaskId);

/// <summary>Answered with <see cref="BatchLines"/> once the catalog has read the journal; <c>EndedOnly</c> keeps the tasks that ended.</summary>
internal sealed record GetBatchLines(string BatchId, bool EndedOnly = false);

/// <summary>The upload lines of a batch's tasks that exist (have written their first event), or of those that ended.</summary>
internal sealed record BatchLines(string BatchId, IReadOnlySet<int> Lines);

/// <summary>Answered with <see cref="BatchTally"/>.</summary>
internal sealed record GetBatchTally(string BatchId);

/// <summary>
/// A batch's started tasks by status; <c>Known</c> is how many have started (the rest are queued in the batch);
/// <c>LastEndedAt</c> is when the latest of them ended.
/// </summary>
internal sealed record BatchTally(string BatchId, IReadOnlyDictionary<TaskLifecycle, int> Counts, int Known, DateTimeOffset? LastEndedAt);

/// <summary>A page of a batch's tasks by upload line (after <c>AfterLine</c>); <c>EndedOnly</c> keeps those that ended.</summary>
internal sealed record ListBatchTasks(string BatchId, int AfterLine, int Limit, bool EndedOnly);

/// <summary><c>NextAfterLine</c> is null on the last page.</summary>
internal sealed record BatchTaskPage(IReadOnlyList<TaskView> Items, int? NextAfterLine);

/// <summary>Answered with <see cref="UnfinishedByAccount"/> once the catalog has read the journal.</summary>
internal sealed record CountUnfinished;

/// <summary>Tasks that have not ended, by the account they name.</summary>
internal sealed record UnfinishedByAccount(IReadOnlyDictionary<string, int> Counts);
