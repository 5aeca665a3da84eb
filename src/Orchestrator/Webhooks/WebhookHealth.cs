namespace Orchestrator.Webhooks;

/// <summary>
/// Whether the webhook registry runs. It stops when the journal refuses one of its writes (or its recovery), and its
/// backoff supervisor starts it again; meanwhile <c>/healthz</c> says so and <c>/v1/webhooks*</c> answer 503 at once
/// instead of waiting for an answer that cannot come.
/// </summary>
internal sealed class WebhookHealth(TimeProvider clock)
{
    /// <summary>What a client refused meanwhile is told to wait: the backoff's first steps (1, 2, 4 s) fit in it.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Since when, and why, the registry is down.</summary>
    public sealed record Outage(DateTimeOffset Since, string Reason);

    private volatile Outage? _outage;

    /// <summary>Null while the registry runs (or is starting for the first time).</summary>
    public Outage? Down => _outage;

    public void MarkUp() => _outage = null;

    /// <summary>Keeps the first reason of an outage: a failed restart does not move its start.</summary>
    public void MarkDown(string reason) => _outage ??= new Outage(clock.GetUtcNow(), reason);
}

/// <summary>The webhook registry is down for now (<see cref="WebhookHealth"/>): nothing was done; retry after <see cref="RetryAfter"/>.</summary>
internal sealed class WebhookRegistryUnavailableException(WebhookHealth.Outage outage)
    : Exception($"Webhooks are unavailable for now: {outage.Reason}. Try again in {WebhookHealth.RetryAfter.TotalSeconds:0} s.")
{
    public TimeSpan RetryAfter => WebhookHealth.RetryAfter;
}
