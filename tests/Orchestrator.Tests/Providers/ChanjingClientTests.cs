using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Providers;
using Orchestrator.Providers.Chanjing;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Providers;

/// <summary>Golden tests for Chanjing: Chanjing's documented example body (docs/providers.md, Chanjing), the token header, 10400 handling and the page query.</summary>
public sealed class ChanjingClientTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static string Token(string token, long expireIn) =>
        $$$"""{"code":0,"msg":"success","data":{"access_token":"{{{token}}}","expire_in":{{{expireIn}}}}}""";

    private static (ChanjingClient Client, CannedHttp Http) Client(Func<HttpRequestMessage, HttpResponseMessage> answer, FakeTimeProvider? clock = null)
    {
        var http = new CannedHttp(answer);
        var httpClient = new HttpClient(http) { BaseAddress = new Uri("https://open-api.chanjing.cc/") };
        var owner = new ChanjingTokenOwner(httpClient, "cj", "app-1", "secret-1", clock ?? new FakeTimeProvider(Now), OpenGate.Instance);
        return (new ChanjingClient(httpClient, owner, "cj", OpenGate.Instance), http);
    }

    [Fact]
    public async Task Seed_002_image_creation_fetches_a_token_once_and_sends_the_documented_body()
    {
        var (client, http) = Client(r => r.RequestUri!.AbsolutePath.EndsWith("access_token")
            ? CannedHttp.Json(HttpStatusCode.OK, Token("tok-1", Now.ToUnixTimeSeconds() + 86400))
            : CannedHttp.Json(HttpStatusCode.OK, """{"trace_id":"96afa792520b0e6a86d72e89435bc0a7","code":0,"msg":"success","data":"a60747d7-dc05-4afc-b2ef-ee4370ed53c6"}"""));
        var request = new GenerationRequest
        {
            Provider = "chanjing", Kind = GenerationKind.TextToImage, Model = "kling-v2-1",
            Prompt = "生成一张微缩模型风格的创意场景图。画面中央是一个古典青花瓷碗,碗里盛着雪白的汤圆,最上面一颗破皮流出黑芝麻馅。",
            AspectRatio = "9:16", Resolution = "2k", Count = 1,
        };

        var first = await client.SubmitAsync(new ProviderSubmission("t1", request, null), CancellationToken.None);
        await client.SubmitAsync(new ProviderSubmission("t2", request, null), CancellationToken.None);

        Assert.Equal(new SubmitOutcome.Accepted("a60747d7-dc05-4afc-b2ef-ee4370ed53c6"), first);
        Assert.Equal(3, http.Sent.Count); // one token, two submits
        Assert.Equal("/open/v1/access_token", http.Sent[0].Path);
        Assert.Equal("""{"app_id":"app-1","secret_key":"secret-1"}""", http.Sent[0].Body);
        Assert.Equal("/open/v1/ai_creation/task/submit", http.Sent[1].Path);
        Assert.Equal(
            """{"ref_prompt":"生成一张微缩模型风格的创意场景图。画面中央是一个古典青花瓷碗,碗里盛着雪白的汤圆,最上面一颗破皮流出黑芝麻馅。","creation_type":3,"aspect_ratio":"9:16","clarity":2048,"number_of_images":1,"model_code":"kling-v2-1"}""",
            http.Sent[1].Body);
        Assert.NotNull(http.Sent[1].ContentLength);
        Assert.Equal(1, ((ChanjingTokenOwner)client.Tokens).Fetches);
    }

    [Fact]
    public async Task A_10400_answer_replaces_the_token_once_and_retries_the_call()
    {
        var tokens = 0;
        var (client, http) = Client(r =>
        {
            if (r.RequestUri!.AbsolutePath.EndsWith("access_token")) return CannedHttp.Json(HttpStatusCode.OK, Token($"tok-{++tokens}", Now.ToUnixTimeSeconds() + 86400));
            return r.Headers.GetValues("access_token").Single() == "tok-1"
                ? CannedHttp.Json(HttpStatusCode.OK, """{"code":10400,"msg":"AccessToken 验证失败"}""")
                : CannedHttp.Json(HttpStatusCode.OK, """{"code":0,"msg":"success","data":{"unique_id":"u1","progress_desc":"Generating","create_time":1800000000}}""");
        });

        var outcome = await client.QueryAsync(GenerationKind.TextToImage, "u1", "t1", CancellationToken.None);

        Assert.Equal(ProviderTaskStatus.Running, Assert.IsType<QueryOutcome.Found>(outcome).Snapshot.Status);
        Assert.Equal(2, ((ChanjingTokenOwner)client.Tokens).Fetches);
        Assert.Equal(["/open/v1/access_token", "/open/v1/ai_creation/task?unique_id=u1", "/open/v1/access_token", "/open/v1/ai_creation/task?unique_id=u1"],
            http.Sent.Select(s => s.Path));
    }

    [Fact]
    public async Task A_token_is_refreshed_five_minutes_before_it_expires()
    {
        var clock = new FakeTimeProvider(Now);
        var (client, _) = Client(r => r.RequestUri!.AbsolutePath.EndsWith("access_token")
            ? CannedHttp.Json(HttpStatusCode.OK, Token("tok", clock.GetUtcNow().ToUnixTimeSeconds() + 3600))
            : CannedHttp.Json(HttpStatusCode.OK, """{"code":0,"msg":"success","data":"u"}"""), clock);
        var request = new GenerationRequest { Provider = "chanjing", Kind = GenerationKind.TextToImage, Model = "kling-v2-1", Prompt = "x" };

        await client.SubmitAsync(new ProviderSubmission("t", request, null), CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(54));
        await client.SubmitAsync(new ProviderSubmission("t", request, null), CancellationToken.None);
        Assert.Equal(1, ((ChanjingTokenOwner)client.Tokens).Fetches);
        clock.Advance(TimeSpan.FromMinutes(2));
        await client.SubmitAsync(new ProviderSubmission("t", request, null), CancellationToken.None);
        Assert.Equal(2, ((ChanjingTokenOwner)client.Tokens).Fetches);
    }

    [Theory]
    [InlineData("Queued", ProviderTaskStatus.Queued)]
    [InlineData("Ready", ProviderTaskStatus.Queued)]
    [InlineData("Generating", ProviderTaskStatus.Running)]
    [InlineData("Success", ProviderTaskStatus.Succeeded)]
    [InlineData("Error", ProviderTaskStatus.Failed)]
    [InlineData("Fail", ProviderTaskStatus.Failed)]
    // The status is an object: the enum is internal to the library, and a public test method cannot name it.
    public void Progress_words_map_to_the_lifecycle(string progress, object status) =>
        Assert.Equal((ProviderTaskStatus)status, ChanjingProtocol.MapStatus(progress));

    [Fact]
    public async Task The_page_query_asks_for_many_ids_at_once_and_keeps_failure_reasons()
    {
        var (client, http) = Client(r => r.RequestUri!.AbsolutePath.EndsWith("access_token")
            ? CannedHttp.Json(HttpStatusCode.OK, Token("tok", Now.ToUnixTimeSeconds() + 86400))
            : CannedHttp.Json(HttpStatusCode.OK, """
                {"trace_id":"t","code":0,"msg":"success","data":{"list":[
                  {"unique_id":"a","progress_desc":"Success","output_url":["https://res.chanjing.cc/a.png"],"create_time":1800000000,"creation_type":3},
                  {"unique_id":"b","progress_desc":"Fail","err_msg":"内容违规","create_time":1800000000}],
                 "page_info":{"page":1,"size":3,"total":2}}}
                """));

        var results = await client.QueryManyAsync(["a", "b", "c"], CancellationToken.None);

        var page = JsonNode.Parse(http.Sent[1].Body!)!;
        Assert.Equal("/open/v1/ai_creation/task/page", http.Sent[1].Path);
        Assert.Equal(3, page["unique_ids"]!.AsArray().Count);
        Assert.Equal(3, (int)page["page_size"]!);
        Assert.Equal("https://res.chanjing.cc/a.png", Assert.IsType<QueryOutcome.Found>(results["a"]).Snapshot.Results[0].Url);
        Assert.Equal("内容违规", Assert.IsType<QueryOutcome.Found>(results["b"]).Snapshot.FailureMessage);
        Assert.True(Assert.IsType<QueryOutcome.Error>(results["c"]).Failure.Retryable);
    }

    [Fact]
    public async Task A_task_id_the_query_or_the_page_does_not_know_is_answered_not_found()
    {
        var (client, _) = Client(r => r.RequestUri!.AbsolutePath switch
        {
            var p when p.EndsWith("access_token") => CannedHttp.Json(HttpStatusCode.OK, Token("tok", Now.ToUnixTimeSeconds() + 86400)),
            var p when p.EndsWith("page") => CannedHttp.Json(HttpStatusCode.OK, """{"code":0,"msg":"success","data":{"list":[],"page_info":{"page":1,"size":1,"total":0}}}"""),
            _ => CannedHttp.Json(HttpStatusCode.OK, """{"code":40000,"msg":"参数错误: task not found"}"""),
        });

        var one = Assert.IsType<QueryOutcome.Error>(await client.QueryAsync(GenerationKind.TextToImage, "u1", "t1", CancellationToken.None)).Failure;
        var paged = Assert.IsType<QueryOutcome.Error>((await client.QueryManyAsync(["u2"], CancellationToken.None))["u2"]).Failure;

        Assert.Equal(("40000", "参数错误: task not found", true), (one.Code, one.Message, one.IsNotFound));
        Assert.True(paged.IsNotFound);
    }

    [Theory]
    [InlineData(40001, true, true)]
    [InlineData(50000, true, false)]
    [InlineData(40000, false, false)]
    [InlineData(400, false, false)]
    public void Codes_map_to_retryable_or_final(int code, bool retryable, bool rateLimit)
    {
        var e = ChanjingProtocol.MapError(code, "msg", null);
        Assert.Equal(retryable, e.Retryable);
        Assert.Equal(rateLimit, e.IsRateLimit);
        Assert.Equal(code.ToString(), e.Code);
    }
}
