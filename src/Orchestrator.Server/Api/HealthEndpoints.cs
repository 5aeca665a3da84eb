using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Contracts;
using Orchestrator.Hosting;
using Orchestrator.Server.Security;

namespace Orchestrator.Server.Api;

/// <summary><c>/healthz</c>: 200 <c>ready</c> once the journal has been read and interrupted tasks resumed, 503 <c>starting</c> before.</summary>
public static class HealthEndpoints
{
    /// <summary>Maps <c>/healthz</c>.</summary>
    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        // Load balancers and orchestrators probe it without a key; it tells nothing but ready or starting.
        var health = routes.MapGroup("/healthz").AllowWithoutApiKey();
        health.MapGet("", Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>> (IOrchestrator o) => o.IsReady
            ? TypedResults.Ok(new HealthStatus(HealthStatus.Ready))
            : TypedResults.Json(new HealthStatus(HealthStatus.Starting), ApiJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable));
        return health;
    }
}
