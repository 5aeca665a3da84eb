using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Contracts;
using Orchestrator.Hosting;
using Orchestrator.Server.Security;

namespace Orchestrator.Server.Api;

/// <summary>
/// <c>/healthz</c>: 200 <c>ready</c> once the journal has been read and interrupted tasks resumed; 503 <c>starting</c>
/// before, <c>stopping</c> once SIGTERM arrived, <c>degraded</c> while the webhook registry is down (both with a <c>reason</c>).
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Maps <c>/healthz</c>.</summary>
    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        // Load balancers and orchestrators probe it without a key; it tells nothing but ready or starting.
        var health = routes.MapGroup("/healthz").AllowWithoutApiKey();
        health.MapGet("", Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>> (IOrchestrator o, GracefulShutdown shutdown, Webhooks.WebhookHealth webhooks) =>
        {
            if (shutdown.IsStopping) return Unavailable(new HealthStatus(HealthStatus.Stopping, "shutting down: send requests elsewhere or retry after the restart"));
            if (!o.IsReady) return Unavailable(new HealthStatus(HealthStatus.Starting));
            // Tasks still run without webhooks, but a node that cannot deliver them is not one to route new work to.
            if (webhooks.Down is { } outage) return Unavailable(new HealthStatus(HealthStatus.Degraded, outage.Reason));
            return TypedResults.Ok(new HealthStatus(HealthStatus.Ready));
        });
        return health;
    }

    private static JsonHttpResult<HealthStatus> Unavailable(HealthStatus status) =>
        TypedResults.Json(status, ApiJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
}
