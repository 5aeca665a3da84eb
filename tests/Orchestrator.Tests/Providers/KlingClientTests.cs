using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Providers;
using Orchestrator.Providers.Kling;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Providers;

public sealed class KlingClientTests
{
    private const string TaskId = "0194f1c2a3b4c5d6e7f8091a2b3c4d5e";
    private const string Submitted = """{"code":0,"message":"SUCCEED","request_id":"r1","data":{"task_id":"k1","task_status":"submitted"}}""";

    [Fact]
    public void The_jwt_is_hs256_with_iss_exp_nbf_and_verifies_with_the_secret()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var token = KlingJwt.Sign("AK-123", "SK-secret", now);
        var parts = token.Split('.');

        Assert.Equal("""{"alg":"HS256","typ":"JWT"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        Assert.Equal("AK-123", (string)claims["iss"]!);
        Assert.Equal(1_800_000_000 + 1800, (long)claims["exp"]!);
        Assert.Equal(1_800_000_000 - 5, (long)claims["nbf"]!);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes("SK-secret"), Encoding.UTF8.GetBytes(parts[0] + "." + parts[1]));
        Assert.Equal(expected, Base64Url.DecodeFromChars(parts[2]));
    }

    [Fact]
    public void The_jwt_is_cached_and_re_signed_five_minutes_before_it_expires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var jwt = new KlingJwt("ak", "sk", clock);
        var first = jwt.Current();
        clock.Advance(TimeSpan.FromMinutes(24));
        Assert.Equal(first, jwt.Current());
        clock.Advance(TimeSpan.FromMinutes(2));
        var second = jwt.Current();
        Assert.NotEqual(first, second);
        Assert.Equal(2, jwt.Signed);
    }

    [Fact]
    public async Task The_official_api_uses_its_own_paths_and_a_signed_bearer_token()
    {
        var http = new CannedHttp(_ => CannedHttp.Json(HttpStatusCode.OK, Submitted));
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var client = new KlingClient(new HttpClient(http) { BaseAddress = new Uri(KlingClient.SingaporeUrl + "/") }, new KlingJwt("ak", "sk", clock));
        var request = new GenerationRequest
        {
            Provider = "kling", Kind = GenerationKind.ImageToVideo, Model = "kling-v1-6", Prompt = "waves", ImageUrl = "https://img.test/a.png",
            DurationSeconds = 10, Mode = "pro",
        };

        Assert.Equal(new SubmitOutcome.Accepted("k1"), await client.SubmitAsync(new ProviderSubmission(TaskId, request, null), CancellationToken.None));
        await client.QueryAsync(GenerationKind.ImageToVideo, null, TaskId, CancellationToken.None);

        Assert.Equal("/v1/videos/image2video", http.Sent[0].Path);
        Assert.Equal($"Bearer {KlingJwt.Sign("ak", "sk", clock.GetUtcNow())}", http.Sent[0].Authorization);
        Assert.Equal("""{"model_name":"kling-v1-6","prompt":"waves","image":"https://img.test/a.png","mode":"pro","duration":"10","external_task_id":"0194f1c2a3b4c5d6e7f8091a2b3c4d5e"}""", http.Sent[0].Body);
        Assert.Equal($"/v1/videos/image2video/{TaskId}", http.Sent[1].Path);
    }
}
