using System.Collections.Concurrent;
using System.Security.Cryptography;
using Orchestrator.Server.Security;

namespace Orchestrator.Server.Relay;

/// <summary>
/// Access tokens the Chanjing-style relay issues: one live token per key name (per <c>app_id</c>), as Chanjing does, so
/// a new one invalidates the previous. Valid 24 h. Held in memory: after a restart a client's token answers 10400 and
/// the client fetches a new one, which is what Chanjing clients do on 10400.
/// </summary>
public sealed class ChanjingRelayTokens(TimeProvider clock)
{
    /// <summary>How long a token lives.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private sealed record Issued(string Token, DateTimeOffset ExpiresAt, ApiCaller Caller);

    private readonly ConcurrentDictionary<string, Issued> _byName = new(StringComparer.Ordinal);

    /// <summary>A new token for <paramref name="caller"/> (the previous one of its <paramref name="appId"/> stops working) and when it expires.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(string appId, ApiCaller caller)
    {
        var issued = new Issued(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), clock.GetUtcNow() + Lifetime, caller);
        _byName[appId] = issued;
        return (issued.Token, issued.ExpiresAt);
    }

    /// <summary>The caller a live token was issued to, or null (unknown, superseded or expired).</summary>
    public ApiCaller? Find(string token)
    {
        if (token.Length == 0) return null;
        var now = clock.GetUtcNow();
        // Few app ids hold tokens (one per key); each comparison takes the same time whatever matches.
        ApiCaller? found = null;
        foreach (var issued in _byName.Values)
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(issued.Token), System.Text.Encoding.UTF8.GetBytes(token))
                && issued.ExpiresAt > now)
                found = issued.Caller;
        return found;
    }
}
