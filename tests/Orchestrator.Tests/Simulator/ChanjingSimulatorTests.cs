using System.Text.Json.Nodes;
using Orchestrator.Simulator;

namespace Orchestrator.Tests.Simulator;

/// <summary>Chanjing's open API as the simulator speaks it (docs/providers.md, Chanjing).</summary>
[Collection(SimulatorCollection.Name)]
public sealed class ChanjingSimulatorTests : IAsyncLifetime
{
    private const string Submit = "/open/v1/ai_creation/task/submit";
    private const string Page = "/open/v1/ai_creation/task/page";
    private SimulatorHarness _h = null!;

    public async Task InitializeAsync() => _h = await SimulatorHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_token_is_valid_24_hours_and_wrong_credentials_get_none()
    {
        var (_, body) = await _h.ChanjingAsync(HttpMethod.Post, "/open/v1/access_token", new { app_id = "sim-app", secret_key = "sim-secret" });
        Assert.Equal((0, "success"), ((int)body["code"]!, (string)body["msg"]!));
        Assert.Equal(SimulatorHarness.Start.AddHours(24).ToUnixTimeSeconds(), (long)body["data"]!["expire_in"]!);
        var token = (string)body["data"]!["access_token"]!;

        (_, body) = await _h.ChanjingAsync(HttpMethod.Post, "/open/v1/access_token", new { app_id = "sim-app", secret_key = "wrong" });
        Assert.Equal(40000, (int)body["code"]!);
        Assert.Null(body["data"]);

        _h.Clock.Advance(TimeSpan.FromHours(24));
        (_, body) = await _h.ChanjingAsync(HttpMethod.Get, "/open/v1/ai_creation/task?unique_id=x", token: token);
        Assert.Equal(10400, (int)body["code"]!);
        var stats = _h.Sim.Stats("chanjing");
        Assert.Equal((1, 2), (stats.TokenRequests, stats.AuthFailures));
    }

    [Fact]
    public async Task A_new_token_invalidates_the_previous_one()
    {
        var first = await _h.TokenAsync();
        var second = await _h.TokenAsync();
        var (status, body) = await _h.ChanjingAsync(HttpMethod.Get, "/open/v1/ai_creation/task?unique_id=x", token: first);
        Assert.Equal((200, 10400, "AccessToken 验证失败"), (status, (int)body["code"]!, (string)body["msg"]!));
        (_, body) = await _h.ChanjingAsync(HttpMethod.Get, "/open/v1/ai_creation/task?unique_id=x", token: second);
        Assert.Equal(40000, (int)body["code"]!); // valid token, unknown task
        Assert.Equal((1, 1), (_h.Sim.Stats("chanjing").AuthFailures, _h.Sim.Stats("chanjing").Polls));
    }

    [Fact]
    public async Task A_task_goes_queued_generating_success_with_the_clock_and_serves_its_files()
    {
        var token = await _h.TokenAsync();
        var id = await _h.SubmitChanjingImageAsync(token);
        async Task<JsonNode> QueryAsync() => (await _h.ChanjingAsync(HttpMethod.Get, $"/open/v1/ai_creation/task?unique_id={id}", token: token)).Body["data"]!;

        var data = await QueryAsync();
        Assert.Equal(("Queued", 0), ((string)data["progress_desc"]!, data["output_url"]!.AsArray().Count));
        Assert.Equal((id, "kling-v2-1", "3:4", 3), ((string)data["unique_id"]!, (string)data["model_code"]!, (string)data["aspect_ratio"]!, (int)data["creation_type"]!));
        Assert.Equal(SimulatorHarness.Start.ToUnixTimeSeconds(), (long)data["create_time"]!);

        _h.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Generating", (string)(await QueryAsync())["progress_desc"]!);

        _h.Clock.Advance(TimeSpan.FromSeconds(8));
        data = await QueryAsync();
        Assert.Equal(("Success", ""), ((string)data["progress_desc"]!, (string)data["err_msg"]!));
        var urls = data["output_url"]!.AsArray().Select(u => (string)u!).ToArray();
        Assert.Equal(2, urls.Length);
        Assert.Equal(SampleMedia.Png, await _h.Http.GetByteArrayAsync(urls[1]));
    }

    [Fact]
    public async Task A_failed_task_says_why()
    {
        _h.Sim.Account("chanjing").Options.FailureRate = 1;
        var token = await _h.TokenAsync();
        var id = await _h.SubmitChanjingImageAsync(token);
        _h.Clock.Advance(TimeSpan.FromSeconds(10));
        var data = (await _h.ChanjingAsync(HttpMethod.Get, $"/open/v1/ai_creation/task?unique_id={id}", token: token)).Body["data"]!;
        Assert.Equal("Fail", (string)data["progress_desc"]!);
        Assert.Contains("risk control", (string)data["err_msg"]!);
    }

    [Theory]
    [InlineData("""{"creation_type":3,"model_code":"kling-v2-1","ref_prompt":"p","ref_img_url":["https://x/y.jpg"]}""")]
    [InlineData("""{"creation_type":3,"model_code":"kling-v1-5","ref_prompt":"p","ref_img_url":["a","b"]}""")]
    [InlineData("""{"creation_type":3,"model_code":"kling-v2-1","ref_prompt":"p","number_of_images":5}""")]
    [InlineData("""{"creation_type":3,"model_code":"kling-v2-1","ref_prompt":"p","clarity":1536}""")]
    [InlineData("""{"creation_type":5,"model_code":"kling-v2-1","ref_prompt":"p"}""")]
    [InlineData("""{"creation_type":4,"model_code":"kling-v2-1","ref_prompt":"p","video_duration":7}""")]
    [InlineData("""{"creation_type":3,"ref_prompt":"p"}""")]
    public async Task Invalid_submissions_are_answered_40000(string json)
    {
        var token = await _h.TokenAsync();
        var (_, body) = await _h.ChanjingAsync(HttpMethod.Post, Submit, JsonNode.Parse(json)!, token);
        Assert.Equal(40000, (int)body["code"]!);
        Assert.Equal(0, _h.Sim.Stats().Tasks);
    }

    [Fact]
    public async Task A_page_query_answers_at_most_50_ids_so_120_tasks_take_50_50_20()
    {
        var token = await _h.TokenAsync();
        var ids = new List<string>();
        for (var i = 0; i < 120; i++) ids.Add(await _h.SubmitChanjingImageAsync(token));

        var sizes = new List<int>();
        foreach (var chunk in ids.Chunk(50))
        {
            var (_, body) = await _h.ChanjingAsync(HttpMethod.Post, Page, new { unique_ids = chunk, page = 1, page_size = 50 }, token);
            Assert.Equal(0, (int)body["code"]!);
            var list = body["data"]!["list"]!.AsArray();
            Assert.Equal(chunk, list.Select(t => (string)t!["unique_id"]!));
            Assert.Equal(chunk.Length, (int)body["data"]!["page_info"]!["total"]!);
            sizes.Add(list.Count);
        }
        Assert.Equal([50, 50, 20], sizes);
        var stats = _h.Sim.Stats("chanjing");
        Assert.Equal((3, 120, 50, 0), (stats.PageQueries, stats.PageQueryTasks, stats.LargestPageQuery, stats.Polls));

        var (_, tooMany) = await _h.ChanjingAsync(HttpMethod.Post, Page, new { unique_ids = ids.Take(51), page = 1, page_size = 50 }, token);
        Assert.Equal(40000, (int)tooMany["code"]!);
        var (_, tooBig) = await _h.ChanjingAsync(HttpMethod.Post, Page, new { unique_ids = ids.Take(5), page = 1, page_size = 51 }, token);
        Assert.Equal(40000, (int)tooBig["code"]!);
    }
}
