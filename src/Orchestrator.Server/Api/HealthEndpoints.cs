using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orchestrator.Contracts;
using Orchestrator.Hosting;
using Orchestrator.Server.Security;

namespace Orchestrator.Server.Api;

/// <summary>
/// <c>/healthz</c>: 200 <c>ready</c> once the journal has been read and interrupted tasks resumed; 503 <c>starting</c>
/// before, <c>stopping</c> once SIGTERM arrived, <c>degraded</c> while the webhook registry is down (both with a <c>reason</c>).
/// It stays the one-word probe the CLI, the benchmarks and load balancers use. <c>/readyz</c> runs every
/// <see cref="ReadinessChecks"/> check and reports each: 200 when all pass (or only degrade), 503 when one fails.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Maps <c>/healthz</c> and <c>/readyz</c>.</summary>
    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        // Load balancers and orchestrators probe it without a key; it tells nothing but ready or starting.
        var health = routes.MapGroup("/healthz").AllowWithoutApiKey();
        health.MapGet("", Results<Ok<Contracts.HealthStatus>, JsonHttpResult<Contracts.HealthStatus>> (IOrchestrator o, GracefulShutdown shutdown, Webhooks.WebhookHealth webhooks) =>
        {
            if (shutdown.IsStopping) return Unavailable(new Contracts.HealthStatus(Contracts.HealthStatus.Stopping, "shutting down: send requests elsewhere or retry after the restart"));
            if (!o.IsReady) return Unavailable(new Contracts.HealthStatus(Contracts.HealthStatus.Starting));
            // Tasks still run without webhooks, but a node that cannot deliver them is not one to route new work to.
            if (webhooks.Down is { } outage) return Unavailable(new Contracts.HealthStatus(Contracts.HealthStatus.Degraded, outage.Reason));
            return TypedResults.Ok(new Contracts.HealthStatus(Contracts.HealthStatus.Ready));
        }).Produces<Contracts.HealthStatus>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Alive and ready for work: ready, or starting, stopping, degraded (503)");
        routes.MapGet("/readyz", Readiness).AllowWithoutApiKey()
            .Produces<Readiness>(StatusCodes.Status200OK).Produces<Readiness>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Readiness: each check's status")
            .WithDescription("200 when every check is healthy or degraded, 503 when one is unhealthy. Checks: started, journal, read-model, providers.");
        return health;
    }

    private static async Task<JsonHttpResult<Readiness>> Readiness(HealthCheckService checks, CancellationToken ct)
    {
        var report = await checks.CheckHealthAsync(c => c.Tags.Contains(ReadinessChecks.Tag), ct);
        var answer = new Readiness(Name(report.Status), report.Entries.ToDictionary(e => e.Key,
            e => new ReadinessCheck(Name(e.Value.Status), e.Value.Description,
                e.Value.Data.Count == 0 ? null : e.Value.Data.ToDictionary(d => d.Key, d => (object?)d.Value))));
        return TypedResults.Json(answer, ApiJson.Options,
            statusCode: report.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    private static string Name(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus status) => status.ToString().ToLowerInvariant();

    private static JsonHttpResult<Contracts.HealthStatus> Unavailable(Contracts.HealthStatus status) =>
        TypedResults.Json(status, ApiJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
}

/// <summary>The answer of <c>/readyz</c>: <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>, and each check's own.</summary>
/// <param name="Status">The worst of the checks.</param>
/// <param name="Checks">Each check by name: started, journal, read-model, providers.</param>
public sealed record Readiness(string Status, IReadOnlyDictionary<string, ReadinessCheck> Checks);

/// <summary>One readiness check's result.</summary>
/// <param name="Status"><c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>.</param>
/// <param name="Description">What it found, in words.</param>
/// <param name="Data">Its figures (e.g. the journal and read-model offsets), or per account what is missing.</param>
public sealed record ReadinessCheck(string Status, string? Description, IReadOnlyDictionary<string, object?>? Data);
