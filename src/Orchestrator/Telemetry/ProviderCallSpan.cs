using System.Diagnostics;
using Orchestrator.Providers;
using Orchestrator.Tasks;

namespace Orchestrator.Telemetry;

/// <summary>
/// One provider call as telemetry: a client span (tagged with task, account and tenant, linked to the HTTP request that
/// created the task) and its count and duration. Never a credential, a prompt or a provider's message in a tag: only ids,
/// the call, its outcome and the provider's error code.
/// </summary>
internal readonly struct ProviderCallSpan
{
    internal static readonly ActivitySource Source = new(OrchestratorTelemetry.ActivitySourceName);

    private readonly Activity? _activity;
    private readonly long _started;
    private readonly string _account;
    private readonly string _call;

    private ProviderCallSpan(Activity? activity, string account, string call)
    {
        _activity = activity;
        _account = account;
        _call = call;
        _started = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Starts the span as the current activity, so the HTTP client's own span nests under it; the caller puts back
    /// <paramref name="previous"/> once the call is started (an actor's thread runs other actors next). The span is the
    /// root of a trace of its own: a task outlives the request that created it by minutes, so it is linked, not parented.
    /// </summary>
    public static ProviderCallSpan Start(string call, string account, string? taskId, GenerationRequest? request, string? createdBy, out Activity? previous, int? attempt = null)
    {
        previous = Activity.Current;
        Activity? activity = null;
        if (Source.HasListeners())
        {
            Activity.Current = null;
            ActivityLink[]? links = createdBy is not null && ActivityContext.TryParse(createdBy, null, out var ctx) ? [new ActivityLink(ctx)] : null;
            activity = Source.StartActivity("provider " + call, ActivityKind.Client, default(ActivityContext), links: links);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("orchestrator.account", account);
                activity.SetTag("orchestrator.call", call);
                if (taskId is not null) activity.SetTag("orchestrator.task.id", taskId);
                if (request?.Metadata?.GetValueOrDefault("tenant") is { } tenant) activity.SetTag("orchestrator.tenant", tenant);
                if (request is not null) activity.SetTag("orchestrator.kind", request.Kind.WireName());
                if (attempt is { } a) activity.SetTag("orchestrator.attempt", a);
            }
        }
        return new ProviderCallSpan(activity, account, call);
    }

    public void End(SubmitOutcome outcome) => End(outcome is SubmitOutcome.Rejected r ? r.Error : null);

    public void End(QueryOutcome outcome) => End(outcome is QueryOutcome.Error e ? e.Failure : null);

    public void End(ProviderError? error)
    {
        var outcome = error switch
        {
            null => "ok",
            { IsRateLimit: true } => "rate_limited",
            { IsNotFound: true } => "not_found",
            _ => "error",
        };
        OrchestratorMetrics.ProviderCalled(_account, _call, outcome, Stopwatch.GetElapsedTime(_started).TotalSeconds);
        if (_activity is null) return;
        _activity.SetTag("orchestrator.outcome", outcome);
        if (error is not null)
        {
            _activity.SetTag("error.type", error.Code);
            _activity.SetStatus(ActivityStatusCode.Error);
        }
        _activity.Dispose();
    }

    /// <summary>Adds how many tasks a batch poll asked about.</summary>
    public void Tasks(int count) => _activity?.SetTag("orchestrator.tasks", count);
}
