using System.Security.Cryptography;
using System.Text;
using Orchestrator.Webhooks;

namespace Orchestrator.Tests.Webhooks;

/// <summary>Signatures as the Standard Webhooks spec defines them, so any receiver's library verifies ours.</summary>
public sealed class WebhookSignatureTests
{
    // The spec's published test vector (standard-webhooks reference libraries).
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecBody = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static byte[] Key(string secret)
    {
        Assert.True(WebhookSignature.TryParseSecret(secret, out var key));
        return key;
    }

    [Fact]
    public void Signs_the_spec_test_vector()
    {
        Assert.Equal(SpecSignature, WebhookSignature.Sign(Key(SpecSecret), SpecId, SpecTimestamp, SpecBody));
        Assert.True(WebhookSignature.Verify(Key(SpecSecret), SpecId, SpecTimestamp, SpecBody, SpecSignature));
    }

    [Fact]
    public void A_generated_secret_round_trips_and_a_receiver_with_plain_HMAC_agrees()
    {
        var secret = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", secret);
        var key = Key(secret);
        Assert.Equal(32, key.Length);
        var body = "{\"type\":\"task.succeeded\",\"data\":{\"id\":\"x\",\"prompt\":\"月亮\"}}";
        var signature = WebhookSignature.Sign(key, "abc.4", 1_700_000_000, body);
        var independent = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret["whsec_".Length..]),
            Encoding.UTF8.GetBytes($"abc.4.1700000000.{body}")));
        Assert.Equal(independent, signature);
        Assert.True(WebhookSignature.Verify(key, "abc.4", 1_700_000_000, body, signature));
    }

    [Fact]
    public void Tampering_with_body_id_timestamp_key_or_signature_is_refused()
    {
        var key = Key(SpecSecret);
        Assert.False(WebhookSignature.Verify(key, SpecId, SpecTimestamp, SpecBody.Replace("2432232314", "2432232315"), SpecSignature));
        Assert.False(WebhookSignature.Verify(key, "msg_other", SpecTimestamp, SpecBody, SpecSignature));
        Assert.False(WebhookSignature.Verify(key, SpecId, SpecTimestamp + 1, SpecBody, SpecSignature));
        Assert.False(WebhookSignature.Verify(Key(WebhookSignature.NewSecret()), SpecId, SpecTimestamp, SpecBody, SpecSignature));
        Assert.False(WebhookSignature.Verify(key, SpecId, SpecTimestamp, SpecBody, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLawdd"));
        Assert.False(WebhookSignature.Verify(key, SpecId, SpecTimestamp, SpecBody, "v2," + SpecSignature[3..]));
        Assert.False(WebhookSignature.Verify(key, SpecId, SpecTimestamp, SpecBody, null));
    }

    [Fact]
    public void Any_of_several_space_separated_signatures_may_match()
    {
        var header = $"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= {SpecSignature} v2,abc=";
        Assert.True(WebhookSignature.Verify(Key(SpecSecret), SpecId, SpecTimestamp, SpecBody, header));
    }

    [Theory]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]           // no prefix
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")]       // 22 bytes: too short
    [InlineData("whsec_")]
    public void Malformed_or_short_secrets_are_refused(string secret) =>
        Assert.False(WebhookSignature.TryParseSecret(secret, out _));

    [Fact]
    public void Secrets_of_24_to_64_bytes_are_accepted()
    {
        Assert.True(WebhookSignature.TryParseSecret("whsec_" + Convert.ToBase64String(new byte[24]), out var k24));
        Assert.Equal(24, k24.Length);
        Assert.True(WebhookSignature.TryParseSecret("whsec_" + Convert.ToBase64String(new byte[64]), out _));
        Assert.False(WebhookSignature.TryParseSecret("whsec_" + Convert.ToBase64String(new byte[65]), out _));
    }
}
