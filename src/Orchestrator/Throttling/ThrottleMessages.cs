namespace Orchestrator.Throttling;

/// <summary>What a permit is spent on. Polls come first: they free capacity, submits add load.</summary>
public enum CallKind { Submit, Poll }

/// <summary>Asks the account's throttle for one provider call. Answered with <see cref="PermitGranted"/> to the sender.</summary>
public sealed record RequestPermit(string Account, string TaskId, CallKind Kind);

/// <summary>
/// A permit, valid until <c>UseBy</c> (UTC). A permit that reaches its task late must not be used: calls delayed on
/// our side would crowd into one provider second. The task asks again instead.
/// </summary>
public sealed record PermitGranted(string TaskId, CallKind Kind, long PermitId, DateTime UseBy);

/// <summary>
/// The call made with a permit has ended (or the permit was not used). Until then the throttle counts the call as
/// arriving at the provider now, so a call delayed on our side cannot crowd into one provider second with later ones.
/// </summary>
public sealed record CallFinished(string Account, long PermitId);

/// <summary>Tells the throttle that the provider still answered a rate or concurrency limit.</summary>
public sealed record RateLimitAnswered(string Account, TimeSpan? RetryAfter);

public sealed record GetThrottleStats(string Account);

public sealed record GetAllThrottleStats;

public sealed record ThrottleStats(
    string Account,
    double ConfiguredQps,
    double EffectiveQps,
    int QueuedSubmits,
    int QueuedPolls,
    int CallsInFlight,
    long Granted,
    long RateLimitAnswers,
    TimeSpan OldestWait);
