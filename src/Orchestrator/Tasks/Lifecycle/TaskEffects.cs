using Orchestrator.Throttling;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>
/// What a decision asks the task actor to do, as data, carried out in order. A <see cref="Persist"/> holds back the
/// effects after it until the event is journaled: nothing is answered or called on the strength of an unwritten event.
/// </summary>
internal abstract record TaskEffect
{
    public sealed record Persist(ITaskEvent Event) : TaskEffect;

    /// <summary>Answer whoever sent the input being decided.</summary>
    public sealed record Reply(object Message) : TaskEffect;

    /// <summary>Tell subscribers (catalog, progress streams) how the task looks now.</summary>
    public sealed record Publish(TaskView View) : TaskEffect;

    public sealed record StartProgressTimer(CallKind Kind, TimeSpan Delay) : TaskEffect;

    public sealed record CancelProgressTimer : TaskEffect;

    public sealed record StartDeadline(TimeSpan Delay) : TaskEffect;

    public sealed record CancelAllTimers : TaskEffect;

    /// <summary>Ask the account's throttle for a permit; <c>Again</c>: one granted earlier expired unused, so it keeps its place.</summary>
    public sealed record RequestPermit(CallKind Kind, int Slots, bool Again = false) : TaskEffect;

    /// <summary>The call made with this permit is over (or the permit went unused).</summary>
    public sealed record FinishCall(long PermitId) : TaskEffect;

    public sealed record HoldSlots(int Slots) : TaskEffect;

    public sealed record ReleaseSlots : TaskEffect;

    public sealed record ReportRateLimit(TimeSpan? RetryAfter) : TaskEffect;

    public sealed record Submit(int Attempt) : TaskEffect;

    public sealed record Query(bool IsLookup) : TaskEffect;

    /// <summary>Poll through the account's batch poller, which takes one permit for many tasks.</summary>
    public sealed record PollInBatch(string ProviderTaskId) : TaskEffect;

    public sealed record StoreResults(TaskSucceeded Succeeded) : TaskEffect;

    /// <summary>Files stored for a task that ended otherwise meanwhile (cancelled while storing): they have no owner.</summary>
    public sealed record DiscardResults : TaskEffect;

    /// <summary>The provider said the task ended: its duration and our detection lag teach the account's schedule.</summary>
    public sealed record Learn(double DurationSeconds, int Polls, TimeSpan? DetectionLag) : TaskEffect;

    public sealed record PermitExpired : TaskEffect;

    public sealed record Ended(TaskLifecycle Status) : TaskEffect;

    public sealed record Warn(string Message) : TaskEffect;

    public sealed record Inform(string Message) : TaskEffect;

    /// <summary>Stop the actor after this long without messages (its end stays in the journal and the read model).</summary>
    public sealed record IdleTimeout(TimeSpan After) : TaskEffect;

    public sealed record PassivateSelf : TaskEffect;
}
