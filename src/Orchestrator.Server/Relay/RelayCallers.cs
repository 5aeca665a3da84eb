using Orchestrator.Server.Security;
using Orchestrator.Simulator;

namespace Orchestrator.Server.Relay;

/// <summary>
/// Who a relay request is from: the client's provider-style credential mapped onto one of our API keys, and so onto its
/// tenant (docs/relay.md, "Credentials"). DMXAPI style sends the key as a bearer token; Kling style sends an HS256 JWT
/// whose <c>iss</c> is the key's name, signed with the key; Chanjing style trades <c>app_id</c> = name and
/// <c>secret_key</c> = key for an access token. Without configured keys (loopback only) every request is accepted as
/// <see cref="OpenCaller"/>. Nothing here logs, and no answer repeats a credential.
/// </summary>
public sealed class RelayCallers
{
    /// <summary>The caller of a relay on a server without keys: tenant <c>default</c>, may submit and read.</summary>
    public static readonly ApiCaller OpenCaller = new("relay", ApiRole.Submit, "default");

    private readonly ApiKeyRing _ring;
    // A JWT is checked with its key, so the relay keeps the keys themselves (by name), not only their hashes.
    private readonly Dictionary<string, string> _keysByName = new(StringComparer.Ordinal);

    /// <param name="ring">The configured keys.</param>
    /// <param name="keys">The same keys as configured (<c>Orchestrator:ApiKeys</c>); the first of a repeated name signs for it.</param>
    public RelayCallers(ApiKeyRing ring, IEnumerable<ApiKeyOptions> keys)
    {
        _ring = ring;
        var i = 0;
        foreach (var k in keys)
        {
            var name = string.IsNullOrWhiteSpace(k.Name) ? $"key {i}" : k.Name;
            if (!string.IsNullOrEmpty(k.Key)) _keysByName.TryAdd(name, k.Key);
            i++;
        }
    }

    /// <summary>True when no key is configured: every relay request is <see cref="OpenCaller"/>'s.</summary>
    public bool IsOpen => _ring.IsEmpty;

    /// <summary>DMXAPI style: the caller whose key follows <c>Bearer</c>, or null.</summary>
    public ApiCaller? ByBearer(string authorization)
    {
        if (IsOpen) return OpenCaller;
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var key = authorization[scheme.Length..].Trim();
        return key.Length == 0 ? null : _ring.Find(key);
    }

    /// <summary>Kling style: the caller whose key signed the JWT (code 0), or Kling's auth code (1000–1004) and message.</summary>
    public (ApiCaller? Caller, int Code, string Message) ByJwt(string authorization, DateTimeOffset now)
    {
        if (IsOpen) return (OpenCaller, 0, "");
        var check = KlingJwt.Verify(authorization, iss => _keysByName.TryGetValue(iss, out var key) ? key : null, key => key, now);
        return check.Code != 0 ? (null, check.Code, check.Message) : (_ring.Find(check.Issuer!), 0, "");
    }

    /// <summary>Chanjing style: the caller whose name is <paramref name="appId"/> and key <paramref name="secretKey"/>, or null.</summary>
    public ApiCaller? ByAppSecret(string appId, string secretKey)
    {
        if (IsOpen) return OpenCaller;
        return secretKey.Length > 0 && _ring.Find(secretKey) is { } caller && caller.Name == appId ? caller : null;
    }
}
