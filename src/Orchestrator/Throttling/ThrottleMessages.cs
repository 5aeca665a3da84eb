namespace Orchestrator.Throttling;

/// <summary>What a permit is spent on. Polls come first: they free capacity, submits add load.</summary>
public enum CallKind { Submit, Poll }

/// <summary>Asks the account's throttle for one provider call. Answered with <see cref="PermitGranted"/> to the sender.</summary>
public sealed record RequestPermit(string Account, string TaskId, CallKind Kind);

public sealed record PermitGranted(string TaskId, CallKind Kind);

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
    long Granted,
    long RateLimitAnswers,
    TimeSpan OldestWait);
