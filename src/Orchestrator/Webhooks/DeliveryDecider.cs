namespace Orchestrator.Webhooks;

/// <summary>What one attempt came to: an HTTP status (with any Retry-After) or a transport error (timeout, refused connection).</summary>
internal sealed record AttemptOutcome(int? Status, TimeSpan? RetryAfter = null, string? Error = null)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public static AttemptOutcome Failed(string error) => new(null, null, error);

    /// <summary>For logs and the deliveries list: <c>HTTP 503</c> or the error.</summary>
    public override string ToString() => Status is { } s ? $"HTTP {s}" : Error ?? "no answer";
}

/// <summary>The retry schedule in force: delays between attempts, their jitter, and the longest Retry-After honoured.</summary>
internal sealed record RetryPolicy(IReadOnlyList<double> ScheduleSeconds, double Jitter)
{
    public static RetryPolicy From(WebhookOptions o) => new(o.EffectiveRetrySchedule, o.Jitter);

    /// <summary>Attempts one schedule allows (the first entry is the first attempt).</summary>
    public int MaxAttempts => ScheduleSeconds.Count;

    /// <summary>
    /// A receiver's Retry-After is honoured up to the schedule's longest step (at least a minute), so one answer cannot
    /// park a delivery for ever.
    /// </summary>
    public TimeSpan MaxRetryAfter => TimeSpan.FromSeconds(Math.Max(60, ScheduleSeconds.DefaultIfEmpty(0).Max()));

    /// <summary>The jittered wait after attempt <paramref name="step"/> (1-based) failed; <paramref name="random"/> in [0, 1).</summary>
    public TimeSpan DelayAfter(int step, double random)
    {
        var seconds = ScheduleSeconds[step] * (1 + Jitter * (2 * random - 1));
        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }
}

/// <summary>What to do after an attempt.</summary>
internal abstract record DeliveryDecision
{
    /// <summary>2xx: the receiver has it.</summary>
    internal sealed record Delivered : DeliveryDecision;
    /// <summary>Try again at <c>At</c> (journaled as pending).</summary>
    internal sealed record RetryAt(DateTimeOffset At) : DeliveryDecision;
    /// <summary>The schedule is used up (or the receiver said the URL is gone): journaled as failed, kept for replay.</summary>
    internal sealed record GiveUp : DeliveryDecision;
    /// <summary>410 Gone from a registered endpoint: disable the endpoint; the delivery waits, pending, for it to be re-enabled.</summary>
    internal sealed record DisableEndpoint(string Reason) : DeliveryDecision;
}

/// <summary>The delivery rules, pure: outcome and position in the schedule in, decision out.</summary>
internal static class DeliveryDecider
{
    /// <param name="outcome">What the attempt came to.</param>
    /// <param name="step">Which attempt of the current schedule this was, 1-based.</param>
    /// <param name="policy">The schedule.</param>
    /// <param name="mayDisable">A registered endpoint (410 disables it); false for per-task URLs (410 gives up that delivery).</param>
    /// <param name="random">Uniform in [0, 1), for the jitter.</param>
    /// <param name="now">The attempt's end.</param>
    public static DeliveryDecision Decide(AttemptOutcome outcome, int step, RetryPolicy policy, bool mayDisable, double random, DateTimeOffset now)
    {
        if (outcome.IsSuccess) return new DeliveryDecision.Delivered();
        if (outcome.Status == 410) return mayDisable ? new DeliveryDecision.DisableEndpoint("410 Gone") : new DeliveryDecision.GiveUp();
        if (step >= policy.MaxAttempts) return new DeliveryDecision.GiveUp();
        var delay = policy.DelayAfter(step, random);
        if (outcome is { Status: 429 or 503, RetryAfter: { } asked })
        {
            var honoured = asked < policy.MaxRetryAfter ? asked : policy.MaxRetryAfter;
            if (honoured > delay) delay = honoured;
        }
        return new DeliveryDecision.RetryAt(now + delay);
    }
}
