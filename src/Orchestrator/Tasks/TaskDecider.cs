using Orchestrator.Providers;

namespace Orchestrator.Tasks;

/// <summary>What the task actor does next after a provider answer (pure: state and answer in, decision out).</summary>
internal abstract record TaskDecision
{
    /// <summary>Journal this event (a submission or an end) and apply it.</summary>
    internal sealed record Persist(ITaskEvent Event) : TaskDecision;
    /// <summary>The task is still running: schedule the next poll. <c>Running</c> marks it processing.</summary>
    internal sealed record PollLater(bool Running) : TaskDecision;
    /// <summary>The submit did not go through but may be retried after <c>Delay</c>; <c>LookupFirst</c> when the provider may have created it anyway.</summary>
    internal sealed record RetrySubmit(ProviderError Error, bool CountsAsAttempt, bool LookupFirst) : TaskDecision;
    /// <summary>A lookup by external id found nothing: submit now.</summary>
    internal sealed record SubmitNow : TaskDecision;
}

internal static class TaskDecider
{
    public static TaskDecision OnSubmit(TaskState s, SubmitOutcome outcome, int maxAttempts, DateTimeOffset now) => outcome switch
    {
        SubmitOutcome.Accepted a => new TaskDecision.Persist(new TaskSubmitted(s.TaskId, a.ProviderTaskId, s.SubmitAttempts, now)),
        // A rate or concurrency answer is the throttle's business, not the task's: it never uses up an attempt.
        SubmitOutcome.Rejected { Error.IsRateLimit: true } r => new TaskDecision.RetrySubmit(r.Error, CountsAsAttempt: false, LookupFirst: false),
        // Nor does a submit that was never sent (its permit ran out first): it goes again at once.
        SubmitOutcome.Rejected { Error.Code: ProviderHttp.NotSent } r => new TaskDecision.RetrySubmit(r.Error, CountsAsAttempt: false, LookupFirst: false),
        SubmitOutcome.Rejected r when r.Error.Retryable && s.SubmitAttempts < maxAttempts =>
            new TaskDecision.RetrySubmit(r.Error, CountsAsAttempt: true, LookupFirst: MayHaveBeenCreated(r.Error)),
        SubmitOutcome.Rejected r => new TaskDecision.Persist(new TaskFailed(s.TaskId, r.Error.ToTaskError(), s.SubmitAttempts, s.Polls, now)),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    /// <summary>Whether an answer says the provider task no longer runs (so its concurrency slots are free).</summary>
    public static bool ProviderEnded(QueryOutcome o) =>
        o is QueryOutcome.Found { Snapshot.Status: ProviderTaskStatus.Succeeded or ProviderTaskStatus.Failed } or QueryOutcome.Error { Failure.Retryable: false };

    /// <summary>Concurrency slots a provider task holds while it runs: 0 when the account sets no limit, n for an image task of n when slots are per image.</summary>
    public static int SlotCost(GenerationRequest r, Hosting.ProviderAccountOptions? account) =>
        account?.MaxConcurrentTasks is null ? 0
        : r.Kind == GenerationKind.TextToImage && account.SlotPerImage ? Math.Max(1, r.Count ?? 1) : 1;

    /// <summary>A connection never made or a call never sent never reached the provider; a timeout, a connection lost after sending or a 5xx may have created the task.</summary>
    public static bool MayHaveBeenCreated(ProviderError e) => e.Code is not (ProviderHttp.ConnectionFailed or ProviderHttp.NotSent) && !e.IsRateLimit;

    /// <summary>A poll's answer; <paramref name="s"/> already counts it among the "not found" answers if it is one.</summary>
    public static TaskDecision OnPoll(TaskState s, QueryOutcome outcome, int consecutiveFailures, int maxFailures, int maxNotFoundAnswers,
        DateTimeOffset now) => outcome switch
    {
        QueryOutcome.Found f => OnSnapshot(s, f.Snapshot, now),
        // A provider may not know a task it has just accepted yet (or, restarted, may have forgotten it): ask again on the
        // normal schedule a bounded number of times before believing it.
        QueryOutcome.Error { Failure.IsNotFound: true } when s.NotFoundAnswers < maxNotFoundAnswers => new TaskDecision.PollLater(false),
        QueryOutcome.Error { Failure.IsNotFound: true } e => new TaskDecision.Persist(new TaskFailed(s.TaskId, Unknown(s, e.Failure, now), s.SubmitAttempts, s.Polls, now)),
        QueryOutcome.Error e when e.Failure.Retryable && consecutiveFailures < maxFailures => new TaskDecision.PollLater(false),
        QueryOutcome.Error e => new TaskDecision.Persist(new TaskFailed(s.TaskId, e.Failure.ToTaskError(), s.SubmitAttempts, s.Polls, now)),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    private static TaskError Unknown(TaskState s, ProviderError e, DateTimeOffset now) => new(e.Code,
        FormattableString.Invariant(
            $"The provider does not know task {s.ProviderTaskId} after {s.NotFoundAnswers} queries over {(now - (s.NotFoundSince ?? now)).TotalSeconds:0} s (last answer: {e.Message})."),
        false);

    /// <summary>After a restart before the provider id was journaled: did our earlier submit reach the provider?</summary>
    public static TaskDecision OnLookup(TaskState s, QueryOutcome outcome, int consecutiveFailures, int maxFailures, DateTimeOffset now) => outcome switch
    {
        QueryOutcome.Found f => new TaskDecision.Persist(new TaskSubmitted(s.TaskId, f.Snapshot.ProviderTaskId, Math.Max(1, s.SubmitAttempts), now)),
        QueryOutcome.Error { Failure.IsNotFound: true } => new TaskDecision.SubmitNow(),
        QueryOutcome.Error e when e.Failure.Retryable && consecutiveFailures < maxFailures =>
            new TaskDecision.RetrySubmit(e.Failure, CountsAsAttempt: false, LookupFirst: true),
        QueryOutcome.Error e => new TaskDecision.Persist(new TaskFailed(s.TaskId, e.Failure.ToTaskError(), s.SubmitAttempts, s.Polls, now)),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    private static TaskDecision OnSnapshot(TaskState s, ProviderTaskSnapshot snap, DateTimeOffset now) => snap.Status switch
    {
        ProviderTaskStatus.Succeeded => new TaskDecision.Persist(new TaskSucceeded(s.TaskId, snap.Results, s.Polls, now)),
        // A failed task answers code 0: the reason is only in the status message, kept verbatim.
        ProviderTaskStatus.Failed => new TaskDecision.Persist(new TaskFailed(s.TaskId,
            new TaskError("task_failed", string.IsNullOrWhiteSpace(snap.FailureMessage) ? "The provider reported the task failed without a reason." : snap.FailureMessage, false),
            s.SubmitAttempts, s.Polls, now)),
        ProviderTaskStatus.Running => new TaskDecision.PollLater(true),
        _ => new TaskDecision.PollLater(false),
    };
}
