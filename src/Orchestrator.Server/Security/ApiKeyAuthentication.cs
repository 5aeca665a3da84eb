using Microsoft.Net.Http.Headers;

namespace Orchestrator.Server.Security;

/// <summary>
/// Who may call what. Every request needs <c>Authorization: Bearer &lt;key&gt;</c> with a configured key (401 with
/// <c>WWW-Authenticate: Bearer</c> otherwise), except on endpoints marked <see cref="AllowWithoutApiKey{TBuilder}"/>
/// (<c>/healthz</c>, provider callbacks with their own token, the in-process simulator). The role an endpoint needs is
/// what <see cref="RequireRole{TBuilder}"/> set, else <c>read</c> for GET and HEAD and <c>submit</c> for the rest; a
/// key whose role falls short gets 403. Without keys (allowed on loopback only) every caller is
/// <see cref="ApiCaller.Operator"/>. Keys are never logged: nothing here writes a log line.
/// </summary>
public static class ApiKeyAuthentication
{
    private sealed record Open;

    private sealed record Requires(ApiRole Role);

    /// <summary>The endpoint answers without a key (it has its own check, or nothing to protect).</summary>
    public static TBuilder AllowWithoutApiKey<TBuilder>(this TBuilder endpoint) where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new Open());

    /// <summary>Whether endpoint metadata marks it <see cref="AllowWithoutApiKey{TBuilder}"/> (the API document leaves its key requirement out).</summary>
    public static bool IsOpen(IEnumerable<object> metadata) => metadata.OfType<Open>().Any();

    /// <summary>The endpoint needs at least <paramref name="role"/> (instead of read for GET, submit for the rest).</summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder endpoint, ApiRole role) where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new Requires(role));

    /// <summary>The caller of this request: a key's holder, or <see cref="ApiCaller.Operator"/> on a server without keys.</summary>
    public static ApiCaller Caller(this HttpContext http) => http.Features.Get<ApiCaller>() ?? ApiCaller.Operator;

    /// <summary>Checks each request's key and role before its endpoint runs (after routing, so the endpoint is known).</summary>
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app, ApiKeyRing ring) =>
        app.Use(async (http, next) =>
        {
            var endpoint = http.GetEndpoint();
            if (endpoint?.Metadata.GetMetadata<Open>() is not null || ring.IsEmpty)
            {
                await next(http);
                return;
            }
            if (Presented(http.Request) is not { } key || ring.Find(key) is not { } caller)
            {
                await Unauthorized(http, hasKey: http.Request.Headers.Authorization.Count > 0).ExecuteAsync(http);
                return;
            }
            var required = endpoint?.Metadata.GetMetadata<Requires>()?.Role
                ?? (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? ApiRole.Read : ApiRole.Submit);
            if (!caller.Allows(required))
            {
                await Forbidden(http, caller, required).ExecuteAsync(http);
                return;
            }
            http.Features.Set(caller);
            await next(http);
        });

    /// <summary>The key after <c>Bearer</c> (the scheme in any case), or null.</summary>
    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var key = header[scheme.Length..].Trim();
        return key.Length > 0 ? key : null;
    }

    private static IResult Unauthorized(HttpContext http, bool hasKey)
    {
        // RFC 6750: a challenge always; invalid_token when a key was sent but is not one of ours.
        http.Response.Headers[HeaderNames.WWWAuthenticate] = hasKey ? "Bearer error=\"invalid_token\"" : "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "API key required",
            detail: hasKey
                ? "The Authorization header does not carry a valid API key (send Authorization: Bearer <key>)."
                : "Send an API key as Authorization: Bearer <key> (the CLI takes --api-key or ORCHESTRATOR_API_KEY).",
            extensions: new Dictionary<string, object?> { ["field"] = "Authorization" });
    }

    private static IResult Forbidden(HttpContext http, ApiCaller caller, ApiRole required) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed for this key",
            detail: $"{http.Request.Method} {http.Request.Path} needs a {Name(required)} key; key '{caller.Name}' is a {Name(caller.Role)} key.",
            extensions: new Dictionary<string, object?> { ["role"] = Name(caller.Role), ["required"] = Name(required) });

    private static string Name(ApiRole role) => role.ToString().ToLowerInvariant();
}
