using Microsoft.AspNetCore.Http.Metadata;

namespace Orchestrator.Server.Api;

/// <summary>
/// How large a body each endpoint reads (docs/reliability.md has the table). Endpoint routing applies an endpoint's limit
/// before its handler runs (<see cref="OtherBytes"/> where an endpoint sets none); Kestrel
/// then refuses a larger body (by its <c>Content-Length</c>, or as a chunked body passes the limit) and
/// <see cref="ApiExceptionHandler"/> answers 413.
/// </summary>
public static class RequestBodyLimits
{
    /// <summary><c>POST /v1/tasks</c> and <c>POST /v1/webhooks</c>: one JSON object of a few kilobytes.</summary>
    public const long JsonObjectBytes = 1024 * 1024;

    /// <summary>
    /// <c>POST /v1/batches</c>: read line by line as it arrives, never held whole, so the limit only bounds one upload's
    /// work (a 100,000-line file of 2.5 KB lines fits).
    /// </summary>
    public const long BatchBytes = 256L * 1024 * 1024;

    /// <summary>
    /// The in-process simulator's routes: a provider's request is a few kilobytes (no base64 images: the orchestrator
    /// sends image URLs).
    /// </summary>
    public const long SimulatorBytes = 1024 * 1024;

    /// <summary>
    /// Every other route (reads, cancels, enables, replays): none reads a body, so this only bounds what Kestrel takes
    /// from a connection that sends one anyway. Kestrel's own default is 30,000,000 bytes.
    /// </summary>
    public const long OtherBytes = 64 * 1024;

    /// <summary>Sets the largest body <paramref name="endpoint"/> reads.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder endpoint, long bytes) where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new BodyLimit(bytes));

    private sealed record BodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
