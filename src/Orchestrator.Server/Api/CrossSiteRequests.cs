using Microsoft.Extensions.Primitives;

namespace Orchestrator.Server.Api;

/// <summary>
/// Refuses requests a web page sent from another site. A browser may send a "simple" cross-origin request (a form, or
/// <c>fetch</c> with <c>text/plain</c>) without asking first, and it reaches a server on 127.0.0.1 like any other: its
/// answer is hidden from the page, but what it did is done. Browsers name the page's origin in <c>Origin</c> (and say
/// <c>Sec-Fetch-Site</c>); clients that are not browsers (curl, the CLI, HttpClient) send neither and are not affected.
/// Provider callbacks are exempt: they come from the provider's servers, authenticated by their own token.
/// </summary>
public static class CrossSiteRequests
{
    /// <summary>Answers 403 for a request whose <c>Origin</c> is not this server's own, or that a browser marks as cross-site.</summary>
    public static IApplicationBuilder UseCrossSiteRefusal(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/v1/callbacks") || Foreign(http.Request) is not { } origin)
        {
            await next(http);
            return;
        }
        await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused",
            detail: $"Requests from web pages of another origin ({origin}) are refused: call the API from a server, a script or the CLI.").ExecuteAsync(http);
    });

    /// <summary>The foreign origin (or <c>Sec-Fetch-Site</c> value) that makes <paramref name="request"/> cross-site, or null.</summary>
    internal static string? Foreign(HttpRequest request)
    {
        // same-site is another port or subdomain of the same site: still another origin.
        if (request.Headers["Sec-Fetch-Site"] is { Count: > 0 } site && site.ToString() is "cross-site" or "same-site")
            return $"Sec-Fetch-Site: {site}";
        if (request.Headers.Origin is not { Count: > 0 } origins) return null;
        var own = $"{request.Scheme}://{request.Host.Value}";
        return origins.ToString() is var origin && string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) ? null : origin;
    }
}
