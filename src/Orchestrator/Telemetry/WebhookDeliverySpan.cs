using System.Diagnostics;
using Orchestrator.Webhooks;

namespace Orchestrator.Telemetry;

/// <summary>
/// One webhook delivery attempt as telemetry: a client span tagged with the endpoint, the delivery (<c>webhook-id</c>),
/// the task and its tenant, and the attempt's count by outcome. Never the URL (it may carry a token) or the signing key.
/// </summary>
internal static class WebhookDeliverySpan
{
    /// <summary>Starts the span as the current activity (so the HTTP client's span nests under it); put back <paramref name="previous"/> after the send starts.</summary>
    public static Activity? Start(string endpointId, string eventId, string taskId, string? tenant, int attempt, out Activity? previous)
    {
        previous = Activity.Current;
        if (!ProviderCallSpan.Source.HasListeners()) return null;
        Activity.Current = null; // a delivery is its own trace, whatever ran on this thread before
        var activity = ProviderCallSpan.Source.StartActivity("webhook deliver", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("orchestrator.webhook.endpoint", endpointId);
            activity.SetTag("orchestrator.webhook.id", eventId);
            activity.SetTag("orchestrator.task.id", taskId);
            if (tenant is not null) activity.SetTag("orchestrator.tenant", tenant);
            activity.SetTag("orchestrator.attempt", attempt);
        }
        return activity;
    }

    public static async Task<AttemptOutcome> Ended(Task<AttemptOutcome> send, Activity? span)
    {
        try
        {
            var outcome = await send.ConfigureAwait(false);
            End(span, outcome.IsSuccess, outcome.Status);
            return outcome;
        }
        catch
        {
            End(span, false, null);
            throw;
        }
    }

    private static void End(Activity? span, bool delivered, int? status)
    {
        OrchestratorMetrics.WebhookAttempted(delivered);
        if (span is null) return;
        if (status is { } s) span.SetTag("http.response.status_code", s);
        span.SetTag("orchestrator.outcome", delivered ? "delivered" : "failed");
        if (!delivered) span.SetStatus(ActivityStatusCode.Error);
        span.Dispose();
    }
}
