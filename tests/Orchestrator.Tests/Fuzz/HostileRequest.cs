namespace Orchestrator.Tests.Fuzz;

/// <summary>
/// One adversarial request of the fuzz run: which scenario made it, which mapped route it aims at (<c>METHOD /pattern</c>,
/// as the server's endpoint data source names it), and what goes over the wire.
/// </summary>
/// <param name="Scenario">The category it belongs to (docs/reliability.md lists them).</param>
/// <param name="Route">The route it aims at, e.g. <c>POST /v1/tasks</c>.</param>
/// <param name="Method">The HTTP method sent (may differ from the route's, for the wrong-method scenario).</param>
/// <param name="Target">Path and query, sent as they are (no dot-segment or escape clean-up).</param>
public sealed record HostileRequest(string Scenario, string Route, string Method, string Target)
{
    /// <summary>The body, or null for none.</summary>
    public byte[]? Body { get; init; }

    /// <summary>The body's <c>Content-Type</c>, or null for none.</summary>
    public string? ContentType { get; init; }

    /// <summary>The API key sent as <c>Authorization: Bearer</c>; null sends none.</summary>
    public string? Key { get; init; }

    /// <summary>More request headers (an <c>Authorization</c> here replaces the key's).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body is sent chunked, without a <c>Content-Length</c>.</summary>
    public bool Chunked { get; init; }

    /// <summary>The answer may never end (Server-Sent Events): only its status is read.</summary>
    public bool Streams { get; init; }

    /// <summary>Sent over a raw socket instead of HttpClient: bytes no well-behaved client would send.</summary>
    public WireExchange? Wire { get; init; }

    /// <summary>Whether a 2xx answer would mean the server stored something (any method but GET and HEAD).</summary>
    public bool Writes => Method is not ("GET" or "HEAD");

    /// <inheritdoc />
    public override string ToString() =>
        $"[{Scenario}] {Method} {(Target.Length > 160 ? Target[..160] + "…" : Target)}" + (Body is { } b ? $" ({b.Length} bytes{(ContentType is null ? "" : ", " + ContentType)})" : "")
        + (Wire is { } w ? $" (raw: {w.Pace})" : "");
}

/// <summary>How a raw-socket request sends its body after <see cref="Head"/> (request line and headers, ending in a blank line).</summary>
public enum WirePace
{
    /// <summary>The body at once.</summary>
    AtOnce,
    /// <summary>One byte every half second: far below Kestrel's minimum data rate.</summary>
    Trickle,
    /// <summary>The body repeated as chunks for as long as the server reads, until it answers.</summary>
    Endless,
    /// <summary>Part of the body, then the sending side shut.</summary>
    Truncated,
}

/// <summary>A request written byte for byte.</summary>
/// <param name="Head">Request line and headers, ending with the blank line.</param>
/// <param name="Body">What follows the head (or is repeated, for <see cref="WirePace.Endless"/>).</param>
/// <param name="Pace">How the body is sent.</param>
public sealed record WireExchange(byte[] Head, byte[] Body, WirePace Pace);
