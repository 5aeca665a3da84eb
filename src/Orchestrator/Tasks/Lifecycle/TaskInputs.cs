using Orchestrator.Providers;
using Orchestrator.ResultFiles;
using Orchestrator.Throttling;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>
/// Everything a task actor receives, as the lifecycle sees it. The actor turns each message into one of these and
/// hands it to <see cref="TaskMachine.Decide"/>; nothing is decided anywhere else.
/// </summary>
internal abstract record TaskInput
{
    /// <summary>
    /// The journal has been read (or skipped for a fresh id): resume what was under way. <c>Resume</c>: the task had
    /// passivated through a wait for its next poll, and this is where it was.
    /// </summary>
    internal sealed record Recovered(TaskResume? Resume = null) : TaskInput;

    /// <summary>
    /// A validated request for this task id (a new task, or an idempotent repeat). <c>DurableInBatch</c>: a batch's line,
    /// its request journaled by the batch. <c>FreshId</c>: minted just now, so no earlier hand-over can have reached the provider.
    /// </summary>
    internal sealed record Accept(GenerationRequest Request, string? CreatedBy = null, bool DurableInBatch = false, bool FreshId = true) : TaskInput;

    internal sealed record Get : TaskInput;

    internal sealed record Cancel : TaskInput;

    /// <summary>Start-up asks every unfinished task to run; recovery already resumed it, unless it does not exist.</summary>
    internal sealed record Wake : TaskInput;

    /// <summary>The progress timer fired: make the call it was set for.</summary>
    internal sealed record ProgressDue(CallKind Kind) : TaskInput;

    internal sealed record DeadlineDue : TaskInput;

    internal sealed record PermitGranted(CallKind Kind, long PermitId, DateTimeOffset UseBy) : TaskInput;

    internal sealed record SubmitAnswered(SubmitOutcome Outcome) : TaskInput;

    /// <summary>A query's answer; <c>IsLookup</c>: by our external id before a (re)submit.</summary>
    internal sealed record QueryAnswered(QueryOutcome Outcome, bool IsLookup) : TaskInput;

    /// <summary>The account's batch poller answered for this task (it held the permit itself).</summary>
    internal sealed record BatchPollAnswered(QueryOutcome Outcome) : TaskInput;

    internal sealed record CallbackReceived(ProviderTaskSnapshot Snapshot) : TaskInput;

    internal sealed record ResultsStored(TaskSucceeded Succeeded, RehostOutcome Outcome) : TaskInput;

    /// <summary>Nothing happened for the idle timeout set after the task ended.</summary>
    internal sealed record Idle : TaskInput;

    /// <summary>
    /// The supervisor holds this task's messages and asks it to stop now, as it offered: it stops (saying when to wake it
    /// if it has not ended) or declines when something began meanwhile (a timer fired, a call started).
    /// </summary>
    internal sealed record PassivateNow : TaskInput;
}
