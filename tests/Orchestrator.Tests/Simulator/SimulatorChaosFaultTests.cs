using System.Text.Json.Nodes;
using Orchestrator.Simulator;

namespace Orchestrator.Tests.Simulator;

/// <summary>The faults of a chaos run: resets, drawn rates, outages and storms for a while, and the duplicate counts that judge a run.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class SimulatorChaosFaultTests : IAsyncLifetime
{
    private SimulatorHarness _h = null!;

    public async Task InitializeAsync() => _h = await SimulatorHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_reset_create_is_carried_out_and_only_its_answer_is_lost()
    {
        _h.Sim.Inject("kling", SimulatedFault.ConnectionReset, 1);
        await Assert.ThrowsAsync<HttpRequestException>(() => _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(external: "ours-1")));
        Assert.Equal((1, 1), (_h.Sim.Stats("kling").Resets, _h.Sim.Stats("kling").Tasks));

        // Sent again, it is a second submission of that external id: refused and counted.
        var (status, body) = await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(external: "ours-1"));
        Assert.Equal((400, 1201), (status, (int)body["code"]!));
        Assert.Equal(1, _h.Sim.Stats("kling").DuplicateExternalIds);
    }

    [Fact]
    public async Task A_reset_rate_drops_that_share_of_calls()
    {
        _h.Sim.Account("kling").Options.ResetRate = 1;
        await Assert.ThrowsAsync<HttpRequestException>(() => _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none"));
        _h.Sim.Account("kling").Options.ResetRate = 0;
        Assert.Equal(404, (await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none")).Status);
        Assert.Equal(1, _h.Sim.Stats("kling").Resets);
    }

    [Fact]
    public async Task An_outage_answers_every_call_with_its_fault_until_its_time_is_up()
    {
        using var down = await _h.Http.PostAsync("/_sim/outage?kind=Unavailable&seconds=10&account=kling", null);
        Assert.Equal(204, (int)down.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/images/generations/none");
        request.Headers.Authorization = new("Bearer", _h.Jwt());
        using var answer = await _h.Http.SendAsync(request);
        Assert.Equal(503, (int)answer.StatusCode);
        var (_, token) = await _h.ChanjingAsync(HttpMethod.Post, "/open/v1/access_token", new { app_id = "sim-app", secret_key = "sim-secret" });
        Assert.Equal(0, (int)token["code"]!); // the other accounts are up

        _h.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(404, (await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none")).Status);
        Assert.Equal(1, _h.Sim.Stats("kling").UnavailableAnswers);
    }

    [Theory]
    [InlineData("1e300")]
    [InlineData("86401")]
    [InlineData("-1")]
    public async Task An_outage_longer_than_a_day_or_negative_is_a_400_and_starts_nothing(string seconds)
    {
        // 1e300 s overflowed TimeSpan: a 500 (found by the fuzz test once the route existed).
        using var answer = await _h.Http.PostAsync($"/_sim/outage?kind=Unavailable&seconds={seconds}&account=kling", null);
        Assert.Equal(400, (int)answer.StatusCode);
        Assert.Equal(404, (await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none")).Status);
    }

    [Fact]
    public async Task A_rate_limit_storm_answers_each_protocols_rate_limit_to_every_account_and_is_not_the_qps_window()
    {
        var token = await _h.TokenAsync();
        _h.Sim.StartOutage(SimulatedFault.RateLimit, TimeSpan.FromSeconds(30));
        var (klingStatus, klingBody) = await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none");
        var (_, chanjingBody) = await _h.ChanjingAsync(HttpMethod.Get, "/open/v1/ai_creation/task?unique_id=x", token: token);
        Assert.Equal((429, 1302, 40001), (klingStatus, (int)klingBody["code"]!, (int)chanjingBody["code"]!));
        var stats = _h.Sim.Stats();
        Assert.Equal((2, 0), (stats.RateLimitAnswers, stats.QpsExceededAnswers));

        _h.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(404, (await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none")).Status);
    }

    [Fact]
    public async Task Chanjing_counts_a_create_whose_body_it_has_seen_before_as_a_duplicate_request()
    {
        var token = await _h.TokenAsync();
        var first = await _h.SubmitChanjingImageAsync(token);
        var again = await _h.SubmitChanjingImageAsync(token);
        Assert.NotEqual(first, again); // Chanjing creates it twice: it has no external id to refuse it by
        var stats = JsonNode.Parse(await _h.Http.GetStringAsync("/_sim/stats/chanjing"))!;
        Assert.Equal((2, 1), ((int)stats["tasks"]!, (int)stats["duplicateRequests"]!));
    }
}
