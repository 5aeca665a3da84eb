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
    /// <summary>The journal has been read (or skipped for a fresh id): resume what was under way.</summary>
    public sealed record Recovered : TaskInput;

    /// <summary>A validated request for this task id (a new task, or an idempotent repeat).</summary>
    public sealed record Accept(GenerationRequest Request) : TaskInput;

    public sealed record Get : TaskInput;

    public sealed record Cancel : TaskInput;

    /// <summary>Start-up asks every unfinished task to run; recovery already resumed it, unless it does not exist.</summary>
    public sealed record Wake : TaskInput;

    /// <summary>The progress timer fired: make the call it was set for.</summary>
    public sealed record ProgressDue(CallKind Kind) : TaskInput;

    public sealed record DeadlineDue : TaskInput;

    public sealed record PermitGranted(CallKind Kind, long PermitId, DateTimeOffset UseBy) : TaskInput;

    public sealed record SubmitAnswered(SubmitOutcome Outcome) : TaskInput;

    /// <summary>A query's answer; <c>IsLookup</c>: by our external id before a (re)submit.</summary>
    public sealed record QueryAnswered(QueryOutcome Outcome, bool IsLookup) : TaskInput;

    /// <summary>The account's batch poller answered for this task (it held the permit itself).</summary>
    public sealed record BatchPollAnswered(QueryOutcome Outcome) : TaskInput;

    public sealed record CallbackReceived(ProviderTaskSnapshot Snapshot) : TaskInput;

    public sealed record ResultsStored(TaskSucceeded Succeeded, RehostOutcome Outcome) : TaskInput;

    /// <summary>Nothing happened for the idle timeout set after the task ended.</summary>
    public sealed record Idle : TaskInput;
}
