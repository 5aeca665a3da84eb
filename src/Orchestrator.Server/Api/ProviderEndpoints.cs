using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;

namespace Orchestrator.Server.Api;

/// <summary><c>/v1/providers</c>: every configured account, and for enabled ones their throttle's rate, queues and limits.</summary>
public static class ProviderEndpoints
{
    /// <summary>Maps the <c>/v1/providers</c> group.</summary>
    public static RouteGroupBuilder MapProviderEndpoints(this IEndpointRouteBuilder routes)
    {
        var providers = routes.MapGroup("/v1/providers");
        providers.MapGet("", async Task<Ok<ProviderList>> (IOrchestrator o, CancellationToken ct) => TypedResults.Ok(new ProviderList(await o.ProvidersAsync(ct))));
        return providers;
    }
}
