namespace Orchestrator.Server.Api;

/// <summary>
/// Routing answers a body of a media type a route does not accept (its <c>Accepts</c> metadata, which also describes the
/// body in the OpenAPI document) with a bare 415 before any handler runs. This turns that into the API's own problem,
/// saying what was sent and what to send, as the handlers' own check does.
/// </summary>
public static class UnsupportedMediaTypeProblems
{
    /// <summary>Adds the middleware; put it before the endpoints.</summary>
    public static IApplicationBuilder UseUnsupportedMediaTypeProblems(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        await next(http);
        if (http.Response.StatusCode != StatusCodes.Status415UnsupportedMediaType || http.Response.HasStarted || http.Response.ContentType is not null) return;
        var batch = http.Request.Path.StartsWithSegments("/v1/batches");
        var accepted = batch ? "application/x-ndjson, application/json" : "application/json";
        await ApiProblems.UnsupportedMediaType(http, accepted, batch ? "Send JSON Lines or a JSON array" : "Send the body as a JSON object").ExecuteAsync(http);
    });
}
