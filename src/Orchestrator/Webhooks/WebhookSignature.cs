using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Webhooks;

/// <summary>
/// Standard Webhooks signing (symmetric, <c>v1</c>): the secret is <c>whsec_</c> + base64 of the key; the signature is
/// <c>v1,</c> + base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")), the timestamp in Unix seconds.
/// Hand-written (the reference .NET package is not on the package feed here); checked against the spec's test vector.
/// </summary>
internal static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const int MinKeyBytes = 24;
    public const int MaxKeyBytes = 64;
    private const int GeneratedKeyBytes = 32;

    /// <summary>A new random secret, <c>whsec_</c> + base64 of 32 bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedKeyBytes));

    /// <summary>The key inside a <c>whsec_</c> secret of 24 to 64 bytes; false for anything else.</summary>
    public static bool TryParseSecret(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal)) return false;
        var b64 = secret.AsSpan(SecretPrefix.Length);
        var buffer = new byte[b64.Length];
        if (!Convert.TryFromBase64Chars(b64, buffer, out var n) || n is < MinKeyBytes or > MaxKeyBytes) return false;
        key = buffer[..n];
        return true;
    }

    /// <summary>The <c>webhook-signature</c> header value for one attempt.</summary>
    public static string Sign(byte[] key, string webhookId, long timestamp, string body)
    {
        var signed = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    /// <summary>
    /// Whether any <c>v1</c> signature in <paramref name="signatureHeader"/> (space-separated, as the spec allows) matches,
    /// compared in constant time. Receivers should also refuse timestamps far from their clock (the spec suggests 5 minutes).
    /// </summary>
    public static bool Verify(byte[] key, string webhookId, long timestamp, string body, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(signatureHeader)) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(key, webhookId, timestamp, body));
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate))) return true;
        return false;
    }
}
