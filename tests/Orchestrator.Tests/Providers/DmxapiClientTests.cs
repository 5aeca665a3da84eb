using System.Net;
using Orchestrator.Providers;
using Orchestrator.Providers.Dmxapi;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Providers;

/// <summary>Golden tests: the exact bytes the DMXAPI adapter sends for DMXAPI's own documented examples, and how it reads the documented answers.</summary>
public sealed class DmxapiClientTests
{
    private const string TaskId = "0194f1c2a3b4c5d6e7f8091a2b3c4d5e";

    private static (DmxapiClient Client, CannedHttp Http) Client(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        var http = new CannedHttp(answer);
        return (new DmxapiClient(new HttpClient(http) { BaseAddress = new Uri("https://www.dmxapi.cn/") }, "sk-test-123"), http);
    }

    private const string Submitted = """{"code":0,"message":"SUCCEED","request_id":"r1","data":{"task_id":"CjhNmGdrHYsAAAAAAB0mDw","task_status":"submitted","created_at":1732400000000,"updated_at":1732400000000}}""";

    [Fact]
    public async Task Seed_000_text_to_image_sends_the_documented_body_with_a_bearer_key_and_content_length()
    {
        var (client, http) = Client(_ => CannedHttp.Json(HttpStatusCode.OK, Submitted));
        var request = new GenerationRequest
        {
            Provider = "dmxapi", Kind = GenerationKind.TextToImage, Model = "kling-v1-5",
            Prompt = "生成一张袋鼠的照片,手里拿着一个写着'DMXAPI'的牌子", NegativePrompt = "", OutputFormat = "png", Count = 1, AspectRatio = "16:9",
        };

        var outcome = await client.SubmitAsync(new ProviderSubmission(TaskId, request, null), CancellationToken.None);

        Assert.Equal(new SubmitOutcome.Accepted("CjhNmGdrHYsAAAAAAB0mDw"), outcome);
        var sent = Assert.Single(http.Sent);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("/kling/v1/images/generations", sent.Path);
        Assert.Equal("Bearer sk-test-123", sent.Authorization);
        Assert.Equal(
            """{"model_name":"kling-v1-5","prompt":"生成一张袋鼠的照片,手里拿着一个写着'DMXAPI'的牌子","negative_prompt":"","output_format":"png","n":1,"aspect_ratio":"16:9","external_task_id":"0194f1c2a3b4c5d6e7f8091a2b3c4d5e"}""",
            sent.Body);
        Assert.NotNull(sent.ContentLength);
    }

    [Fact]
    public async Task Seed_001_text_to_video_sends_duration_as_a_string_and_simple_camera_control()
    {
        var (client, http) = Client(_ => CannedHttp.Json(HttpStatusCode.OK, Submitted));
        var request = new GenerationRequest
        {
            Provider = "dmxapi", Kind = GenerationKind.TextToVideo, Model = "kling-v1",
            Prompt = "一只可爱的卡通袋鼠,举起了一个写着 DMXAPI 的牌子", NegativePrompt = "模糊, 扭曲", CfgScale = 0.5, Mode = "std",
            AspectRatio = "16:9", DurationSeconds = 5, CameraControl = new CameraControl("simple", new CameraConfig(Pan: 5)),
        };

        await client.SubmitAsync(new ProviderSubmission(TaskId, request, "https://example.test/cb"), CancellationToken.None);

        var sent = Assert.Single(http.Sent);
        Assert.Equal("/kling/v1/videos/text2video", sent.Path);
        Assert.Equal(
            """{"model_name":"kling-v1","prompt":"一只可爱的卡通袋鼠,举起了一个写着 DMXAPI 的牌子","negative_prompt":"模糊, 扭曲","cfg_scale":0.5,"mode":"std","aspect_ratio":"16:9","duration":"5","camera_control":{"type":"simple","config":{"horizontal":0,"vertical":0,"pan":5,"tilt":0,"roll":0,"zoom":0}},"callback_url":"https://example.test/cb","external_task_id":"0194f1c2a3b4c5d6e7f8091a2b3c4d5e"}""",
            sent.Body);
    }

    [Fact]
    public async Task A_succeeded_query_yields_the_image_urls()
    {
        var (client, http) = Client(_ => CannedHttp.Json(HttpStatusCode.OK, """
            {"code":0,"message":"SUCCEED","request_id":"r2","data":{"task_id":"p1","task_status":"succeed","task_status_msg":"",
             "created_at":1732400000000,"updated_at":1732400012345,
             "task_result":{"images":[{"index":0,"url":"https://cdn.klingai.com/a_0.png"},{"index":1,"url":"https://cdn.klingai.com/a_1.png"}]}}}
            """));

        var outcome = await client.QueryAsync(GenerationKind.TextToImage, "p1", TaskId, CancellationToken.None);

        Assert.Equal("/kling/v1/images/generations/p1", http.Sent[0].Path);
        var snap = Assert.IsType<QueryOutcome.Found>(outcome).Snapshot;
        Assert.Equal(ProviderTaskStatus.Succeeded, snap.Status);
        Assert.Equal(["https://cdn.klingai.com/a_0.png", "https://cdn.klingai.com/a_1.png"], snap.Results.Select(r => r.Url));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1732400012345), snap.UpdatedAt);
    }

    [Fact]
    public async Task A_video_result_and_a_lookup_by_external_id()
    {
        var (client, http) = Client(_ => CannedHttp.Json(HttpStatusCode.OK, """
            {"code":0,"message":"SUCCEED","data":{"task_id":"p2","task_status":"succeed","task_result":{"videos":[{"id":"v1","url":"https://cdn.klingai.com/v.mp4","duration":"5.1"}]}}}
            """));
        var outcome = await client.QueryAsync(GenerationKind.TextToVideo, null, TaskId, CancellationToken.None);
        Assert.Equal($"/kling/v1/videos/text2video/{TaskId}", http.Sent[0].Path);
        var snap = Assert.IsType<QueryOutcome.Found>(outcome).Snapshot;
        Assert.Equal(new TaskResult(0, "https://cdn.klingai.com/v.mp4", "video"), Assert.Single(snap.Results));
    }

    [Fact]
    public async Task A_failed_task_answers_code_zero_and_its_reason_is_the_status_message()
    {
        var (client, _) = Client(_ => CannedHttp.Json(HttpStatusCode.OK,
            """{"code":0,"message":"SUCCEED","data":{"task_id":"p3","task_status":"failed","task_status_msg":"Failure to pass the risk control system"}}"""));
        var snap = Assert.IsType<QueryOutcome.Found>(await client.QueryAsync(GenerationKind.TextToImage, "p3", TaskId, CancellationToken.None)).Snapshot;
        Assert.Equal(ProviderTaskStatus.Failed, snap.Status);
        Assert.Equal("Failure to pass the risk control system", snap.FailureMessage);
    }

    [Theory]
    [InlineData(429, """{"code":1302,"message":"rate limit"}""", "1302", true, true)]
    [InlineData(429, """{"code":1303,"message":"parallel task over resource pack limit"}""", "1303", true, true)]
    [InlineData(401, """{"code":1000,"message":"authentication failed"}""", "1000", false, false)]
    [InlineData(429, """{"code":1102,"message":"resource pack exhausted"}""", "1102", false, false)]
    [InlineData(400, """{"code":1301,"message":"content safety"}""", "1301", false, false)]
    [InlineData(500, """{"code":5000,"message":"internal"}""", "5000", true, false)]
    [InlineData(502, "<html>bad gateway</html>", "http_502", true, false)]
    [InlineData(200, "<html>not json</html>", "malformed_response", true, false)]
    public async Task Errors_map_to_retryable_or_final_keeping_the_providers_code(int status, string body, string code, bool retryable, bool rateLimit)
    {
        var (client, _) = Client(_ => CannedHttp.Json((HttpStatusCode)status, body, TimeSpan.FromSeconds(7)));
        var outcome = await client.SubmitAsync(new ProviderSubmission(TaskId, TaskStateRequest(), null), CancellationToken.None);
        var error = Assert.IsType<SubmitOutcome.Rejected>(outcome).Error;
        Assert.Equal(code, error.Code);
        Assert.Equal(retryable, error.Retryable);
        Assert.Equal(rateLimit, error.IsRateLimit);
        if (rateLimit) Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.DoesNotContain("sk-test-123", error.Message);
    }

    [Fact]
    public async Task An_unknown_task_status_is_a_bounded_transient_fault()
    {
        var (client, _) = Client(_ => CannedHttp.Json(HttpStatusCode.OK, """{"code":0,"data":{"task_id":"p","task_status":"paused"}}"""));
        var error = Assert.IsType<QueryOutcome.Error>(await client.QueryAsync(GenerationKind.TextToImage, "p", TaskId, CancellationToken.None)).Failure;
        Assert.Equal("malformed_response", error.Code);
        Assert.True(error.Retryable);
    }

    private static GenerationRequest TaskStateRequest() => new() { Provider = "dmxapi", Kind = GenerationKind.TextToImage, Model = "kling-v1", Prompt = "x" };
}
