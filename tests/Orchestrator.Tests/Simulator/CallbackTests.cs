using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Simulator;

/// <summary>Status changes POSTed to the task's callback URL as the fake clock moves (docs/providers.md, Kling and Chanjing).</summary>
[Collection(SimulatorCollection.Name)]
public sealed class CallbackTests : IAsyncLifetime
{
    private SimulatorHarness _h = null!;
    private CallbackReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _h = await SimulatorHarness.StartAsync();
        _receiver = await CallbackReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Kling_posts_the_bare_task_object_on_each_status_change()
    {
        var (_, created) = await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(callback: _receiver.BaseUrl + "/kling"));
        var taskId = (string)created["data"]!["task_id"]!;

        _h.Clock.Advance(TimeSpan.FromSeconds(3));
        var (path, running) = await _receiver.NextAsync();
        Assert.Equal("/kling", path);
        Assert.Null(running["code"]); // no envelope
        Assert.Equal((taskId, "processing"), ((string)running["task_id"]!, (string)running["task_status"]!));
        Assert.Equal(SimulatorHarness.Start.AddSeconds(2).ToUnixTimeMilliseconds(), (long)running["updated_at"]!);

        _h.Clock.Advance(TimeSpan.FromSeconds(7));
        var (_, done) = await _receiver.NextAsync();
        Assert.Equal("succeed", (string)done["task_status"]!);
        Assert.Single(done["task_result"]!["images"]!.AsArray());
        await Eventually.Until(() => Task.FromResult(_h.Sim.Stats("kling").CallbacksSent), n => n == 2, TimeSpan.FromSeconds(5), "two callbacks counted");
    }

    [Fact]
    public async Task Chanjing_posts_the_query_object_in_its_envelope_and_a_clock_jump_sends_every_change_in_order()
    {
        var token = await _h.TokenAsync();
        var id = await _h.SubmitChanjingImageAsync(token, _receiver.BaseUrl + "/chanjing");

        _h.Clock.Advance(TimeSpan.FromSeconds(30));
        var (_, running) = await _receiver.NextAsync();
        var (_, done) = await _receiver.NextAsync();
        Assert.Equal((0, "success"), ((int)running["code"]!, (string)running["msg"]!));
        Assert.Equal((id, "Generating"), ((string)running["data"]!["unique_id"]!, (string)running["data"]!["progress_desc"]!));
        Assert.Equal("Success", (string)done["data"]!["progress_desc"]!);
        Assert.Equal(2, done["data"]!["output_url"]!.AsArray().Count);
    }

    [Fact]
    public async Task Undeliverable_callbacks_are_counted_failed_and_do_not_stop_the_others()
    {
        var token = await _h.TokenAsync();
        await _h.SubmitChanjingImageAsync(token, "not a url");
        await _h.SubmitChanjingImageAsync(token, "http://127.0.0.1:1/refused");
        await _h.SubmitChanjingImageAsync(token, _receiver.BaseUrl + "/ok");

        _h.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("Generating", (string)(await _receiver.NextAsync()).Body["data"]!["progress_desc"]!);
        Assert.Equal("Success", (string)(await _receiver.NextAsync()).Body["data"]!["progress_desc"]!);
        var stats = await Eventually.Until(() => Task.FromResult(_h.Sim.Stats("chanjing")), s => s.CallbacksFailed + s.CallbacksSent == 6,
            TimeSpan.FromSeconds(5), "six deliveries attempted");
        Assert.Equal((2, 4), (stats.CallbacksSent, stats.CallbacksFailed));
    }
}
