using Orchestrator.Throttling;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>
/// What a decision asks the task actor to do, as data, carried out in order. A <see cref="Persist"/> holds back the
/// effects after it until the event is journaled: nothing is answered or called on the strength of an unwritten event.
/// </summary>
internal abstract record TaskEffect
{
    internal sealed record Persist(ITaskEvent Event) : TaskEffect;

    /// <summary>Answer whoever sent the input being decided.</summary>
    internal sealed record Reply(object Message) : TaskEffect;

    /// <summary>Answer the batch that handed the task over: its acceptance is journaled now (<see cref="TaskMemory.UnwrittenAcceptance"/>).</summary>
    internal sealed record AnswerBatch(object Message) : TaskEffect;

    /// <summary>Tell subscribers (catalog, progress streams) how the task looks now.</summary>
    internal sealed record Publish(TaskView View) : TaskEffect;

    internal sealed record StartProgressTimer(CallKind Kind, TimeSpan Delay) : TaskEffect;

    internal sealed record CancelProgressTimer : TaskEffect;

    internal sealed record StartDeadline(TimeSpan Delay) : TaskEffect;

    internal sealed record CancelAllTimers : TaskEffect;

    /// <summary>Ask the account's throttle for a permit; <c>Again</c>: one granted earlier expired unused, so it keeps its place.</summary>
    internal sealed record RequestPermit(CallKind Kind, int Slots, bool Again = false) : TaskEffect;

    /// <summary>The call made with this permit is over (or the permit went unused).</summary>
    internal sealed record FinishCall(long PermitId, bool Used = true) : TaskEffect;

    internal sealed record HoldSlots(int Slots) : TaskEffect;

    internal sealed record ReleaseSlots : TaskEffect;

    internal sealed record ReportRateLimit(TimeSpan? RetryAfter) : TaskEffect;

    /// <summary>Submit under the permit in use; <c>UseBy</c> is its use-by: not sent after it (<see cref="Providers.PermitUseBy"/>).</summary>
    internal sealed record Submit(int Attempt, DateTimeOffset UseBy) : TaskEffect;

    /// <summary>Query under the permit in use, sent only until <c>UseBy</c>.</summary>
    internal sealed record Query(bool IsLookup, DateTimeOffset UseBy) : TaskEffect;

    /// <summary>Poll through the account's batch poller, which takes one permit for many tasks.</summary>
    internal sealed record PollInBatch(string ProviderTaskId) : TaskEffect;

    internal sealed record StoreResults(TaskSucceeded Succeeded) : TaskEffect;

    /// <summary>Files stored for a task that ended otherwise meanwhile (cancelled while storing): they have no owner.</summary>
    internal sealed record DiscardResults : TaskEffect;

    /// <summary>The provider said the task ended: its duration and our detection lag teach the account's schedule.</summary>
    internal sealed record Learn(double DurationSeconds, int Polls, TimeSpan? DetectionLag) : TaskEffect;

    internal sealed record PermitExpired : TaskEffect;

    internal sealed record Ended(TaskLifecycle Status) : TaskEffect;

    internal sealed record Warn(string Message) : TaskEffect;

    internal sealed record Inform(string Message) : TaskEffect;

    /// <summary>Stop the actor after this long without messages (its end stays in the journal and the read model).</summary>
    internal sealed record IdleTimeout(TimeSpan After) : TaskEffect;

    /// <summary>Offer the supervisor to stop this actor (ended and idle, or a long wait ahead); it answers with <see cref="TaskInput.PassivateNow"/>.</summary>
    internal sealed record PassivateSelf : TaskEffect;

    /// <summary>Stop now; <c>Resume</c> (unless the task has ended): when to wake it and what to resume with.</summary>
    internal sealed record Passivated(TaskResume? Resume) : TaskEffect;

    /// <summary>Something began since the offer: stay, and have the held messages delivered.</summary>
    internal sealed record DeclinePassivation : TaskEffect;
}
