using System.Text.Json.Nodes;
using Orchestrator.Simulator;

namespace Orchestrator.Tests.Simulator;

/// <summary>Per-account limits and faults, answered exactly as each provider does.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class SimulatorLimitsTests : IAsyncLifetime
{
    private SimulatorHarness _h = null!;

    public async Task InitializeAsync() => _h = await SimulatorHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Over_the_qps_limit_kling_answers_429_code_1302_and_only_that_account_counts_it()
    {
        _h.Sim.Account("kling").Options.QpsLimit = 2;
        var codes = new List<(int, int)>();
        for (var i = 0; i < 4; i++)
        {
            var (status, body) = await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none");
            codes.Add((status, (int)body["code"]!));
        }
        // Queries count against the QPS limit: two "not found" answers, then the rate limit.
        Assert.Equal([(404, 1203), (404, 1203), (429, 1302), (429, 1302)], codes);
        var stats = _h.Sim.Stats("kling");
        Assert.Equal((2, 4), (stats.RateLimitAnswers, stats.PeakRequestsPerSecond));
        Assert.Equal(0, _h.Sim.Stats("dmxapi").RateLimitAnswers);
        Assert.Equal(2, _h.Sim.Stats().RateLimitAnswers);
    }

    [Fact]
    public async Task Over_the_qps_limit_chanjing_answers_code_40001()
    {
        var token = await _h.TokenAsync();
        _h.Sim.Account("chanjing").Options.QpsLimit = 1;
        var (status, body) = await _h.ChanjingAsync(HttpMethod.Get, "/open/v1/ai_creation/task?unique_id=x", token: token);
        Assert.Equal((200, 40001), (status, (int)body["code"]!));
        Assert.Equal(1, _h.Sim.Stats("chanjing").RateLimitAnswers);
    }

    [Fact]
    public async Task Tasks_hold_concurrency_slots_until_they_end_and_over_the_limit_kling_answers_1303()
    {
        _h.Sim.Account("kling").Options.ConcurrencyLimit = 3;
        Assert.Equal(200, (await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(n: 2))).Status);
        var (status, body) = await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(n: 2));
        Assert.Equal((429, 1303), (status, (int)body["code"]!));
        // A video holds one slot: 2 + 1 fits.
        Assert.Equal(200, (await _h.KlingAsync(HttpMethod.Post, "/v1/videos/text2video", JsonNode.Parse("""{"model_name":"kling-v1","prompt":"p"}""")!)).Status);
        // Queries do not take slots.
        Assert.Equal(404, (await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none")).Status);

        _h.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(200, (await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(n: 3))).Status);
        Assert.Equal(1, _h.Sim.Stats("kling").ConcurrencyLimitAnswers);
    }

    [Fact]
    public async Task An_account_fault_hits_only_that_account_and_a_shared_one_the_next_call_anywhere()
    {
        var token = await _h.TokenAsync();
        _h.Sim.Inject("chanjing", SimulatedFault.ServerError, 1);
        Assert.Equal(404, (await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none")).Status);
        var (status, body) = await _h.ChanjingAsync(HttpMethod.Get, "/open/v1/ai_creation/task?unique_id=x", token: token);
        Assert.Equal((200, 50000), (status, (int)body["code"]!));

        _h.Sim.Inject(SimulatedFault.ServerError, 1);
        (status, body) = await _h.KlingAsync(HttpMethod.Get, "/v1/images/generations/none");
        Assert.Equal((500, 5000), (status, (int)body["code"]!));
        Assert.Equal((1, 1, 2), (_h.Sim.Stats("chanjing").ServerErrors, _h.Sim.Stats("kling").ServerErrors, _h.Sim.Stats().ServerErrors));
    }

    [Fact]
    public async Task A_timeout_answers_nothing_until_the_client_gives_up_and_creates_nothing()
    {
        _h.Sim.Inject("kling", SimulatedFault.Timeout, 1);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = SimulatorHarness.Json(SimulatorHarness.Image()) };
        request.Headers.Authorization = new("Bearer", _h.Jwt());
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _h.Http.SendAsync(request, giveUp.Token));
        Assert.Equal((1, 0), (_h.Sim.Stats("kling").Timeouts, _h.Sim.Stats().Tasks));
    }

    [Fact]
    public async Task The_control_endpoints_inject_per_account_and_report_per_account()
    {
        using var inject = await _h.Http.PostAsync("/_sim/faults?kind=Malformed&count=1&account=kling", null);
        Assert.Equal(204, (int)inject.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/images/generations/none");
        request.Headers.Authorization = new("Bearer", _h.Jwt());
        using var malformed = await _h.Http.SendAsync(request);
        Assert.StartsWith("<html>", await malformed.Content.ReadAsStringAsync());

        var one = JsonNode.Parse(await _h.Http.GetStringAsync("/_sim/stats/kling"))!;
        Assert.Equal(1, (int)one["malformedAnswers"]!);
        var all = JsonNode.Parse(await _h.Http.GetStringAsync("/_sim/stats"))!;
        Assert.Equal(1, (int)all["malformedAnswers"]!);
        Assert.Equal(404, (int)(await _h.Http.GetAsync("/_sim/stats/nobody")).StatusCode);
    }
}
