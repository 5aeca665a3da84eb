namespace Orchestrator.Events;

/// <summary>
/// The data of a <c>heartbeat</c> event on <c>GET /v1/events</c>: an empty object (<c>{}</c>). The stream sends one first,
/// whose <c>id:</c> is where it starts, and another whenever it has been idle, so proxies keep it open.
/// </summary>
public sealed record StreamHeartbeat
{
    /// <summary>The one heartbeat: it carries nothing.</summary>
    public static readonly StreamHeartbeat Instance = new();
}
