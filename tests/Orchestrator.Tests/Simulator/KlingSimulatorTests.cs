using System.Text.Json.Nodes;
using Orchestrator.Simulator;

namespace Orchestrator.Tests.Simulator;

/// <summary>The official Kling API and the DMXAPI relay as the simulator speaks them (docs/providers.md, Kling and DMXAPI relay).</summary>
[Collection(SimulatorCollection.Name)]
public sealed class KlingSimulatorTests : IAsyncLifetime
{
    private SimulatorHarness _h = null!;

    public async Task InitializeAsync() => _h = await SimulatorHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_valid_jwt_creates_a_task_that_can_be_queried_by_id_and_by_external_id()
    {
        var (status, created) = await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(2, "ext-1"));
        Assert.Equal(200, status);
        Assert.Equal(0, (int)created["code"]!);
        Assert.Equal("SUCCEED", (string)created["message"]!);
        var taskId = (string)created["data"]!["task_id"]!;
        Assert.Equal("submitted", (string)created["data"]!["task_status"]!);

        _h.Clock.Advance(TimeSpan.FromSeconds(10));
        foreach (var path in new[] { $"/v1/images/generations/{taskId}", "/v1/images/generations/ext-1", "/v1/images/generations?external_task_id=ext-1" })
        {
            var (_, queried) = await _h.KlingAsync(HttpMethod.Get, path);
            Assert.Equal(taskId, (string)queried["data"]!["task_id"]!);
            Assert.Equal("succeed", (string)queried["data"]!["task_status"]!);
            Assert.Equal(2, queried["data"]!["task_result"]!["images"]!.AsArray().Count);
        }
        var url = (string)(await _h.KlingAsync(HttpMethod.Get, $"/v1/images/generations/{taskId}")).Body["data"]!["task_result"]!["images"]![1]!["url"]!;
        Assert.Equal(SampleMedia.Png, await _h.Http.GetByteArrayAsync(url));
        var stats = _h.Sim.Stats("kling");
        Assert.Equal((1, 4, 1), (stats.Submits, stats.Polls, stats.Tasks));
    }

    [Fact]
    public async Task A_bad_signature_unknown_key_or_missing_header_is_refused_401()
    {
        var (status, body) = await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(), _h.Jwt(secretKey: "wrong"));
        Assert.Equal((401, 1000), (status, (int)body["code"]!));
        Assert.Equal(1000, (int)(await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/x", bearer: _h.Jwt(accessKey: "nobody"))).Body["code"]!);
        Assert.Equal(1002, (int)(await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/x", bearer: "sim-key")).Body["code"]!);
        Assert.Equal(3, _h.Sim.Stats("kling").AuthFailures);
        Assert.Equal(0, _h.Sim.Stats().Tasks);
    }

    [Fact]
    public async Task A_token_expires_by_the_simulators_clock_and_is_not_valid_before_nbf()
    {
        var jwt = _h.Jwt();
        Assert.Equal(200, (await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(), jwt)).Status);

        _h.Clock.Advance(TimeSpan.FromSeconds(1800));
        var (status, body) = await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/x", bearer: jwt);
        Assert.Equal((401, 1004), (status, (int)body["code"]!));

        var future = _h.Clock.GetUtcNow().ToUnixTimeSeconds() + 60;
        (status, body) = await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/x", bearer: _h.Jwt(nbf: future));
        Assert.Equal((401, 1003), (status, (int)body["code"]!));
    }

    [Theory]
    [InlineData("/v1/images/generations", """{"model_name":"kling-v1","prompt":"p","n":10}""")]
    [InlineData("/v1/images/generations", """{"model_name":"kling-v1","prompt":"p","aspect_ratio":"5:4"}""")]
    [InlineData("/v1/images/generations", """{"prompt":"p"}""")]
    [InlineData("/v1/videos/text2video", """{"model_name":"kling-v1","prompt":"p","duration":5}""")]
    [InlineData("/v1/videos/text2video", """{"model_name":"kling-v1","prompt":"p","cfg_scale":1.5}""")]
    [InlineData("/v1/videos/text2video", """{"model_name":"kling-v1","prompt":"p","aspect_ratio":"4:3"}""")]
    [InlineData("/v1/videos/text2video", """{"model_name":"kling-v1","prompt":"p","camera_control":{"type":"simple","config":{"pan":1,"zoom":2}}}""")]
    [InlineData("/v1/videos/text2video", """{"model_name":"kling-v1","prompt":"p","camera_control":{"type":"down_back","config":{"pan":1}}}""")]
    [InlineData("/v1/videos/image2video", """{"model_name":"kling-v1","prompt":"p"}""")]
    [InlineData("/v1/videos/image2video", """{"model_name":"kling-v1","image":"u","image_tail":"t","camera_control":{"type":"down_back"}}""")]
    public async Task Invalid_parameters_are_answered_400_code_1201(string path, string json)
    {
        var (status, body) = await _h.KlingAsync(HttpMethod.Post, path, JsonNode.Parse(json)!);
        Assert.Equal((400, 1201), (status, (int)body["code"]!));
        Assert.Equal(0, _h.Sim.Stats().Tasks);
    }

    [Fact]
    public async Task Valid_video_bodies_are_accepted()
    {
        var text = """{"model_name":"kling-v1","prompt":"p","duration":"10","cfg_scale":0.5,"mode":"pro","aspect_ratio":"9:16","camera_control":{"type":"simple","config":{"horizontal":0,"zoom":-10}}}""";
        Assert.Equal(200, (await _h.KlingAsync(HttpMethod.Post, "/v1/videos/text2video", JsonNode.Parse(text)!)).Status);
        Assert.Equal(200, (await _h.KlingAsync(HttpMethod.Post, "/v1/videos/image2video", JsonNode.Parse("""{"model_name":"kling-v1","image":"https://x/y.png"}""")!)).Status);
    }

    [Fact]
    public async Task A_reused_external_id_is_refused_and_counted()
    {
        Assert.Equal(200, (await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(external: "same"))).Status);
        var (status, body) = await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(external: "same"));
        Assert.Equal((400, 1201), (status, (int)body["code"]!));
        Assert.Equal((1, 1), (_h.Sim.Stats("kling").DuplicateExternalIds, _h.Sim.Stats("kling").Tasks));
    }

    [Fact]
    public async Task The_list_answers_newest_first_by_page()
    {
        for (var i = 0; i < 3; i++) await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(external: $"e{i}"));
        await _h.KlingAsync(HttpMethod.Post, "/v1/videos/text2video", JsonNode.Parse("""{"model_name":"kling-v1","prompt":"p"}""")!);
        var (_, body) = await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations?pageNum=1&pageSize=2");
        var ids = body["data"]!.AsArray().Select(t => (string)t!["task_info"]!["external_task_id"]!).ToArray();
        Assert.Equal(["e2", "e1"], ids);
        Assert.Equal(400, (await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations?pageNum=1&pageSize=501")).Status);
        Assert.Equal((1, 2), (_h.Sim.Stats("kling").PageQueries, _h.Sim.Stats("kling").PageQueryTasks));
    }

    [Fact]
    public async Task The_relay_keeps_its_static_key_and_its_own_account()
    {
        var (status, body) = await _h.KlingAsync(HttpMethod.Post, "/kling/v1/images/generations", SimulatorHarness.Image(), "sim-key");
        Assert.Equal((200, 0), (status, (int)body["code"]!));
        (status, body) = await _h.KlingAsync(HttpMethod.Get, "/kling/v1/images/generations/x", bearer: _h.Jwt());
        Assert.Equal((401, 1000), (status, (int)body["code"]!));
        Assert.Equal((1, 1), (_h.Sim.Stats("dmxapi").Submits, _h.Sim.Stats("dmxapi").AuthFailures));
        Assert.Equal(0, _h.Sim.Stats("kling").Submits);
    }
}
