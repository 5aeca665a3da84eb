using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Server.Security;

namespace Orchestrator.Server.Api;

/// <summary><c>/v1/admin</c>: operator diagnostics, admin keys only (open on a loopback server without keys, like every route).</summary>
public static class AdminEndpoints
{
    /// <summary>Maps the <c>/v1/admin</c> group.</summary>
    public static RouteGroupBuilder MapAdminEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/v1/admin").RequireRole(ApiRole.Admin);
        admin.MapGet("/stuck", async Task<Ok<StuckTaskReport>> (IOrchestrator o, CancellationToken ct) => TypedResults.Ok(await o.StuckTasksAsync(ct)));
        return admin;
    }
}
