namespace Orchestrator.Throttling;

/// <summary>One provider account's throttle as <c>GET /v1/providers</c> shows it.</summary>
/// <param name="Account">The account's name.</param>
/// <param name="Type">Its protocol: dmxapi, kling, chanjing or simulator.</param>
/// <param name="ConfiguredQps">Calls per second it is configured for.</param>
/// <param name="EffectiveQps">Calls per second it allows now (lower after the provider answered rate limits).</param>
/// <param name="MaxConcurrentTasks">Tasks the provider runs at once for the account, or null when unbounded.</param>
/// <param name="ConcurrencyInUse">Tasks holding a concurrency slot.</param>
/// <param name="QueuedSubmits">Submit calls waiting for a permit.</param>
/// <param name="QueuedPolls">Status queries waiting for a permit.</param>
/// <param name="CallsInFlight">Calls under way.</param>
/// <param name="Granted">Permits granted since start.</param>
/// <param name="RateLimitAnswers">Rate or concurrency limit answers from the provider since start.</param>
/// <param name="OldestSubmitWaitSeconds">How long the oldest queued submit has waited.</param>
/// <param name="OldestPollWaitSeconds">How long the oldest queued status query has waited.</param>
public sealed record ThrottleStats(
    string Account,
    string Type,
    double ConfiguredQps,
    double EffectiveQps,
    int? MaxConcurrentTasks,
    int ConcurrencyInUse,
    int QueuedSubmits,
    int QueuedPolls,
    int CallsInFlight,
    long Granted,
    long RateLimitAnswers,
    double OldestSubmitWaitSeconds,
    double OldestPollWaitSeconds);
