using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Relay;

/// <summary>
/// Every provider-compatible endpoint's answer against the shape the provider documents (../shared/PROVIDERS.md, the
/// seeds), error codes included, on a server without API keys (the relay accepts any credential there, tenant default).
/// </summary>
public sealed class RelayGoldenTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5, VideoMinSeconds = 0.3, VideoMaxSeconds = 0.6 })
{
    // The documented shapes.
    private const string KlingTask = "{created_at:number,task_id:string,task_info:{external_task_id:string},task_status:string,task_status_msg:string,updated_at:number}";
    private const string KlingImageDone = "{created_at:number,task_id:string,task_info:{external_task_id:string},task_result:{images:[{index:number,url:string}]},task_status:string,task_status_msg:string,updated_at:number}";
    private const string KlingVideoDone = "{created_at:number,task_id:string,task_info:{external_task_id:string},task_result:{videos:[{duration:string,id:string,url:string}]},task_status:string,task_status_msg:string,updated_at:number}";
    private const string KlingError = "{code:number,message:string,request_id:string}";
    private const string ChanjingTask = "{aspect_ratio:string,create_time:number,creation_type:number,err_msg:string,model_code:string,output_url:[string],progress_desc:string,unique_id:string}";
    private const string ChanjingError = "{code:number,data:null,msg:string,trace_id:string}";

    private static string KlingOk(string data) => $"{{code:number,data:{data},message:string,request_id:string}}";
    private static string ChanjingOk(string data) => $"{{code:number,data:{data},msg:string,trace_id:string}}";

    private RelayClient Client => new(Server);

    // Kling style is served by an official Kling account (the simulator's, AK/SK signed): any route may use any account.
    protected override string[] ServerArgs =>
    [
        "--Orchestrator:Providers:kling-official:Type=kling", $"--Orchestrator:Providers:kling-official:BaseUrl={Sim.BaseUrl}",
        "--Orchestrator:Providers:kling-official:AccessKey=sim-ak", "--Orchestrator:Providers:kling-official:SecretKey=sim-sk",
        "--Orchestrator:Relay:Kling:Account=kling-official",
    ];

    [Theory]
    [InlineData("/kling")]
    [InlineData("")]
    public async Task Kling_style_create_query_and_list_answer_in_Kling_shapes_with_our_task_id(string prefix)
    {
        var created = await Client.PostAsync(prefix + "/v1/images/generations", new { model_name = "kling-v1-5", prompt = "a kangaroo", n = 2, callback_url = "" });
        Assert.Equal(200, created.Status);
        Assert.Equal(KlingOk(KlingTask), JsonShape.Of(created.Body));
        Assert.Equal(0, created.Body["code"]!.GetValue<int>());
        Assert.Equal("SUCCEED", created.Body["message"]!.GetValue<string>());
        Assert.Equal("submitted", created.Body["data"]!["task_status"]!.GetValue<string>());
        var id = created.Body["data"]!["task_id"]!.GetValue<string>();
        // An ordinary task of ours, on the account the route is configured for (the simulator by default).
        var task = await Server.GetAsync(id);
        Assert.Equal(prefix == "" ? "kling-official" : "simulator", task.Provider);

        var done = await Client.KlingUntilEndedAsync($"{prefix}/v1/images/generations/{id}");
        Assert.Equal(KlingOk(KlingImageDone), JsonShape.Of(done.Body));
        Assert.Equal("succeed", done.Body["data"]!["task_status"]!.GetValue<string>());
        Assert.Equal(2, done.Body["data"]!["task_result"]!["images"]!.AsArray().Count);

        var video = await Client.PostAsync(prefix + "/v1/videos/text2video", new { model_name = "kling-v1", prompt = "a kangaroo", duration = "10", external_task_id = "ext-" + prefix.Length });
        var videoId = video.Body["data"]!["task_id"]!.GetValue<string>();
        Assert.Equal("ext-" + prefix.Length, video.Body["data"]!["task_info"]!["external_task_id"]!.GetValue<string>());
        var videoDone = await Client.KlingUntilEndedAsync($"{prefix}/v1/videos/text2video/{videoId}");
        Assert.Equal(KlingOk(KlingVideoDone), JsonShape.Of(videoDone.Body));
        Assert.Equal("10", videoDone.Body["data"]!["task_result"]!["videos"]![0]!["duration"]!.GetValue<string>());
        // By external id, as a path segment and as a parameter.
        foreach (var path in new[] { $"{prefix}/v1/videos/text2video/ext-{prefix.Length}", $"{prefix}/v1/videos/text2video?external_task_id=ext-{prefix.Length}" })
        {
            var byExternal = await Client.GetAsync(path);
            Assert.Equal(videoId, byExternal.Body["data"]!["task_id"]!.GetValue<string>());
        }

        var image2video = await Client.PostAsync(prefix + "/v1/videos/image2video", new { model_name = "kling-v1", image = "https://example.com/start.png", prompt = "move" });
        if (prefix == "") Assert.Equal(KlingOk(KlingTask), JsonShape.Of(image2video.Body));
        else Assert.Equal((400, 1201, "Provider 'simulator' does not support 'image-to-video'. Supported: text-to-image, text-to-video."),
            (image2video.Status, image2video.Body["code"]!.GetValue<int>(), image2video.Body["message"]!.GetValue<string>()));

        var list = await Client.GetAsync($"{prefix}/v1/images/generations?pageNum=1&pageSize=10");
        Assert.Equal(KlingOk($"[{KlingImageDone}]"), JsonShape.Of(list.Body));
        Assert.Equal([id], list.Body["data"]!.AsArray().Select(t => t!["task_id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("/kling")]
    [InlineData("")]
    public async Task Kling_style_errors_come_back_in_Kling_codes_and_nothing_is_kept_for_a_refused_create(string prefix)
    {
        var before = (await Server.Orchestrator.ListAsync(new(null, null, 500, null))).Items.Count;
        foreach (var (body, code, http, message) in new (object, int, int, string)[]
                 {
                     ("[1, 2]", 1200, 400, "request body must be a JSON object"),
                     (new { prompt = "no model" }, 1201, 400, "model_name is required"),
                     (new { model_name = "kling-v1-5", prompt = "x", n = 10 }, 1201, 400, "n must be an integer in [1, 9]"),
                     (new { model_name = "kling-v1-5", prompt = "x", image_fidelity = 0.5 }, 1201, 400, "image_fidelity is not supported by this relay"),
                     (new { model_name = "kling-v1-5", prompt = "x", callback_url = "not a url" }, 1201, 400, "callback_url: "),
                 })
        {
            var answer = await Client.PostAsync(prefix + "/v1/images/generations", body);
            Assert.Equal(http, answer.Status);
            Assert.Equal(KlingError, JsonShape.Of(answer.Body));
            Assert.Equal(code, answer.Body["code"]!.GetValue<int>());
            Assert.StartsWith(message, answer.Body["message"]!.GetValue<string>());
        }
        Assert.Equal(before, (await Server.Orchestrator.ListAsync(new(null, null, 500, null))).Items.Count);

        var missing = await Client.GetAsync(prefix + "/v1/images/generations/" + new string('0', 32));
        Assert.Equal((404, 1203), (missing.Status, missing.Body["code"]!.GetValue<int>()));
        Assert.Equal(KlingError, JsonShape.Of(missing.Body));
        var badPage = await Client.GetAsync(prefix + "/v1/images/generations?pageNum=0");
        Assert.Equal((400, 1201), (badPage.Status, badPage.Body["code"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Chanjing_style_token_submit_query_and_page_answer_in_Chanjing_shapes()
    {
        var token = await Client.PostAsync("/open/v1/access_token", new { app_id = "any", secret_key = "any" }, authorization: null);
        Assert.Equal(ChanjingOk("{access_token:string,expire_in:number}"), JsonShape.Of(token.Body));
        var accessToken = token.Body["data"]!["access_token"]!.GetValue<string>();
        Assert.True(token.Body["data"]!["expire_in"]!.GetValue<long>() > DateTimeOffset.UtcNow.AddHours(23).ToUnixTimeSeconds());

        var submitted = await Client.PostAsync("/open/v1/ai_creation/task/submit",
            new { ref_prompt = "少女风时尚海报", creation_type = 3, aspect_ratio = "3:4", clarity = 2048, number_of_images = 1, model_code = "kling-v2-1" }, null, accessToken);
        Assert.Equal(200, submitted.Status);
        Assert.Equal(ChanjingOk("string"), JsonShape.Of(submitted.Body));
        Assert.Equal((0, "success"), (submitted.Body["code"]!.GetValue<int>(), submitted.Body["msg"]!.GetValue<string>()));
        var id = submitted.Body["data"]!.GetValue<string>();

        var done = await Client.ChanjingUntilEndedAsync(id, accessToken);
        Assert.Equal(ChanjingOk(ChanjingTask), JsonShape.Of(done.Body));
        Assert.Equal(("Success", id, "3:4", 3), (done.Body["data"]!["progress_desc"]!.GetValue<string>(), done.Body["data"]!["unique_id"]!.GetValue<string>(),
            done.Body["data"]!["aspect_ratio"]!.GetValue<string>(), done.Body["data"]!["creation_type"]!.GetValue<int>()));

        var page = await Client.PostAsync("/open/v1/ai_creation/task/page", new { unique_ids = new[] { id }, page = 1, page_size = 50 }, null, accessToken);
        Assert.Equal(ChanjingOk($"{{list:[{ChanjingTask}],page_info:{{page:number,size:number,total:number}}}}"), JsonShape.Of(page.Body));
        var all = await Client.PostAsync("/open/v1/ai_creation/task/page", new { page = 1, page_size = 10 }, null, accessToken);
        Assert.Equal([id], all.Body["data"]!["list"]!.AsArray().Select(t => t!["unique_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Chanjing_style_errors_come_back_in_Chanjing_codes_with_HTTP_200()
    {
        var token = (await Client.PostAsync("/open/v1/access_token", new { app_id = "any", secret_key = "any" }, authorization: null)).Body["data"]!["access_token"]!.GetValue<string>();
        foreach (var (path, body, code) in new (string, object, int)[]
                 {
                     ("/open/v1/ai_creation/task/submit", "not json", 400),
                     ("/open/v1/ai_creation/task/submit", new { creation_type = 5, model_code = "kling-v2-1", ref_prompt = "x" }, 40000),
                     ("/open/v1/ai_creation/task/submit", new { creation_type = 3, model_code = "kling-v2-1", ref_prompt = "x", number_of_images = 9 }, 40000),
                     ("/open/v1/ai_creation/task/page", new { unique_ids = Enumerable.Range(0, 51).Select(i => $"{i}").ToArray() }, 40000),
                 })
        {
            var answer = await Client.PostAsync(path, body, null, token);
            Assert.Equal(200, answer.Status);
            Assert.Equal(ChanjingError, JsonShape.Of(answer.Body));
            Assert.Equal(code, answer.Body["code"]!.GetValue<int>());
        }
        var missing = await Client.GetAsync("/open/v1/ai_creation/task?unique_id=" + new string('0', 32), null, token);
        Assert.Equal((200, 40000), (missing.Status, missing.Body["code"]!.GetValue<int>()));
        Assert.Equal(ChanjingError, JsonShape.Of(missing.Body));
    }
}
