using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Providers.Kling;

/// <summary>
/// Kling's bearer token: HS256 JWT, header <c>{"alg":"HS256","typ":"JWT"}</c>, claims iss = AccessKey,
/// exp = now + 30 min, nbf = now − 5 s, signed with the SecretKey. Cached and re-signed 5 minutes before it expires.
/// Signed here with HMACSHA256 rather than a JWT library: the libraries refuse keys shorter than 256 bits, which
/// Kling does not promise, and the exact bytes are pinned by a golden test.
/// </summary>
internal sealed class KlingJwt(string accessKey, string secretKey, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);
    private const string Header = """{"alg":"HS256","typ":"JWT"}""";

    private readonly Lock _lock = new();
    private (string Token, DateTimeOffset Expires)? _cached;

    /// <summary>Tokens signed so far (for tests and metrics; never the tokens themselves).</summary>
    public int Signed { get; private set; }

    public string Current()
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_cached is { } c && c.Expires - now > RenewBefore) return c.Token;
            var token = Sign(accessKey, secretKey, now);
            _cached = (token, now + Lifetime);
            Signed++;
            return token;
        }
    }

    public static string Sign(string accessKey, string secretKey, DateTimeOffset now)
    {
        var claims = $$"""{"iss":{{System.Text.Json.JsonSerializer.Serialize(accessKey)}},"exp":{{(now + Lifetime).ToUnixTimeSeconds()}},"nbf":{{(now - TimeSpan.FromSeconds(5)).ToUnixTimeSeconds()}}}""";
        var unsigned = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(unsigned));
        return unsigned + "." + Base64Url.EncodeToString(signature);
    }
}
