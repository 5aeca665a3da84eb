using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Orchestrator.Simulator;

/// <summary>
/// Checks the official API's bearer JWT (HS256, <c>iss</c> = access key, <c>exp</c>, <c>nbf</c>; docs/providers.md, Kling)
/// against the injected clock. The codes follow Kling's auth table (401 / 1000–1004): 1000 authentication failed
/// (unknown access key or bad signature), 1001 Authorization missing, 1002 Authorization malformed (not an HS256
/// JWT, or no <c>exp</c>), 1003 not yet valid (<c>nbf</c> > now), 1004 expired (<c>exp</c> ≤ now).
/// </summary>
internal static class KlingJwt
{
    /// <summary>The outcome: <paramref name="Code"/> 0 means <paramref name="Account"/> is authenticated; otherwise
    /// <paramref name="Account"/> is the account the token claimed to be from, if any (its auth failure is counted there).</summary>
    public sealed record Check(SimulatedAccount? Account, int Code, string Message);

    /// <summary>As <see cref="Check"/>, for any holder of a secret (the server's relay checks its API keys this way).</summary>
    public sealed record Check<T>(T? Issuer, int Code, string Message) where T : class;

    public static Check Verify(string authorization, IEnumerable<SimulatedAccount> accounts, DateTimeOffset now)
    {
        var check = Verify(authorization, iss => accounts.FirstOrDefault(a => a.Options.AccessKey == iss), a => a.Options.SecretKey ?? "", now);
        return new Check(check.Issuer, check.Code, check.Message);
    }

    /// <summary>
    /// Checks <paramref name="authorization"/> against the secret of the issuer <paramref name="issuer"/> finds for the
    /// token's <c>iss</c>; the codes are Kling's, as above.
    /// </summary>
    public static Check<T> Verify<T>(string authorization, Func<string, T?> issuer, Func<T, string> secretOf, DateTimeOffset now) where T : class
    {
        if (string.IsNullOrWhiteSpace(authorization)) return new(null, 1001, "Authorization is empty");
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)) return new(null, 1002, "Authorization is invalid");
        var parts = authorization["Bearer ".Length..].Trim().Split('.');
        if (parts.Length != 3) return new(null, 1002, "Authorization is invalid");
        JsonElement header, claims;
        byte[] signature;
        try
        {
            header = JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[0]));
            claims = JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[1]));
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return new(null, 1002, "Authorization is invalid");
        }
        if (header.ValueKind != JsonValueKind.Object || claims.ValueKind != JsonValueKind.Object
            || Text(header, "alg") != "HS256" || (header.TryGetProperty("typ", out _) && Text(header, "typ") != "JWT"))
            return new(null, 1002, "Authorization is invalid: an HS256 JWT is expected");

        var account = Text(claims, "iss") is { } iss ? issuer(iss) : null;
        if (account is null) return new(null, 1000, "authentication failed: unknown access key");
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretOf(account)), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature)) return new(account, 1000, "authentication failed: bad signature");

        // Checked after the signature, so an unsigned token learns nothing about the clock.
        var seconds = now.ToUnixTimeMilliseconds() / 1000.0;
        if (Number(claims, "exp") is not { } exp) return new(account, 1002, "Authorization is invalid: exp is required");
        if (Number(claims, "nbf") is { } nbf && nbf > seconds) return new(account, 1003, "Authorization is not yet valid");
        if (exp <= seconds) return new(account, 1004, "Authorization has expired");
        return new(account, 0, "");
    }

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
