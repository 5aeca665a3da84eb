namespace Orchestrator.Tasks.Lifecycle;

/// <summary>What a live task waits on. The invariant: an unfinished task waits on exactly one of a timer, a permit or a call.</summary>
internal enum Waiting { Nothing, Timer, Permit, Call }

/// <summary>
/// Everything a task actor remembers: the journaled <see cref="TaskState"/> and the progress a restart re-derives
/// (what it waits on, a lookup owed before submitting, quiet watching after an early end, a callback to verify).
/// </summary>
internal sealed record TaskMemory
{
    /// <summary>A task actor's memory before its journal is read.</summary>
    public static TaskMemory For(string taskId) => new() { TaskId = taskId };

    public string TaskId { get; init; } = "";
    public TaskState State { get; init; } = TaskState.Empty;
    public Waiting Waiting { get; init; }
    /// <summary>The permit of the call in flight, returned to the throttle when the call ends.</summary>
    public long? PermitInUse { get; init; }
    /// <summary>Before (re)submitting, ask the provider by our external id whether an earlier submit reached it.</summary>
    public bool LookupBeforeSubmit { get; init; }
    public int ConsecutiveFailures { get; init; }
    /// <summary>Ended (cancelled, timed out) while its provider task runs on and holds a slot: poll it quietly until then.</summary>
    public DateTimeOffset? WatchQuietlyUntil { get; init; }
    /// <summary>A callback said the provider task ended while a call was under way: verify right after it.</summary>
    public bool VerifyAfterCall { get; init; }
    public bool StoringResults { get; init; }
    /// <summary>Why an unfinished task does not progress (its account is not configured), shown in its view.</summary>
    public string? WaitingFor { get; init; }
    /// <summary>
    /// A batch's line accepted in memory only (its request is in the batch's journal): journaled with the task's first
    /// write, inside the submit's event when that comes first. Until then the batch counts it as not yet answered.
    /// </summary>
    public TaskAccepted? UnwrittenAcceptance { get; init; }

    public bool WatchingQuietly => WatchQuietlyUntil is not null;
    /// <summary>Still taking part in the provider's work: not ended, or ended but watching the provider task.</summary>
    public bool Active => !State.IsTerminal || WatchingQuietly;
}
