using System.Net;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Providers;
using Orchestrator.Providers.Chanjing;
using Orchestrator.Tasks;
using Orchestrator.Tests.Simulator;
using Orchestrator.Throttling;

namespace Orchestrator.Tests.Throttling;

/// <summary>
/// A provider call goes out while its throttle permit is usable or not at all: the throttle stops counting a call whose
/// answer never came after the call's timeout, so a call sent long after its grant could crowd the provider's second
/// (the chaos run saw 21 Chanjing calls in a second on a limit of 20).
/// </summary>
[Collection(SimulatorCollection.Name)]
public sealed class PermitUseByTests
{
    [Fact]
    public async Task A_call_whose_permit_ran_out_before_it_was_sent_never_reaches_the_provider_and_says_so()
    {
        await using var h = await SimulatorHarness.StartAsync();
        using var http = new HttpClient(ProviderHttp.CreateHandler()) { BaseAddress = h.Http.BaseAddress };
        int Arrivals() => h.Sim.Account("kling").ArrivalsPerSecond().Sum();

        var (late, fault) = await PermitUseBy.Run(h.Clock.GetUtcNow().AddMilliseconds(-300), h.Clock, () => PollAsync(h, http));
        Assert.Null(late);
        Assert.Equal(ProviderHttp.NotSent, fault!.Code);
        Assert.Contains("300 ms", fault.Message);
        Assert.Equal(0, Arrivals());

        var (inTime, _) = await PermitUseBy.Run(h.Clock.GetUtcNow().AddMilliseconds(250), h.Clock, () => PollAsync(h, http));
        Assert.Equal(HttpStatusCode.NotFound, inTime!.Status);
        Assert.Equal(1, Arrivals());
    }

    [Fact]
    public async Task A_chanjing_submit_that_waited_past_its_permit_for_a_token_is_not_sent_and_the_token_is_kept_for_the_next()
    {
        await using var h = await SimulatorHarness.StartAsync();
        using var http = new HttpClient(ProviderHttp.CreateHandler()) { BaseAddress = h.Http.BaseAddress };
        // The token fetch's own permit comes a second later, as when the account's window is full.
        var gate = new SlowGate(h.Clock, TimeSpan.FromSeconds(1));
        var client = new ChanjingClient(http, new ChanjingTokenOwner(http, "chanjing", "sim-app", "sim-secret", h.Clock, gate), "chanjing", gate);
        var submission = new ProviderSubmission("t1", new GenerationRequest
        {
            Provider = "chanjing", Kind = GenerationKind.TextToImage, Model = "kling-v1-5", Prompt = "a kangaroo holding a sign", Count = 1,
        }, null);

        var first = await PermitUseBy.Run(h.Clock.GetUtcNow().AddMilliseconds(250), h.Clock, () => client.SubmitAsync(submission, CancellationToken.None));
        Assert.Equal(ProviderHttp.NotSent, Assert.IsType<SubmitOutcome.Rejected>(first).Error.Code);
        var stats = h.Sim.Stats("chanjing");
        Assert.Equal((1, 0L), (stats.TokenRequests, stats.Submits));

        var again = await PermitUseBy.Run(h.Clock.GetUtcNow().AddMilliseconds(250), h.Clock, () => client.SubmitAsync(submission, CancellationToken.None));
        Assert.IsType<SubmitOutcome.Accepted>(again);
        stats = h.Sim.Stats("chanjing");
        Assert.Equal((1, 1L), (stats.TokenRequests, stats.Submits));
    }

    private static async Task<(ProviderHttpAnswer? Answer, ProviderError? Fault)> PollAsync(SimulatorHarness h, HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/images/generations/none");
        request.Headers.Authorization = new("Bearer", h.Jwt());
        return await ProviderHttp.SendAsync(http, request, CancellationToken.None);
    }

    /// <summary>Grants each permit <c>wait</c> after it was asked for (on the fake clock), usable for 250 ms.</summary>
    private sealed class SlowGate(FakeTimeProvider clock, TimeSpan wait) : IPermitGate
    {
        public Task<T> UnderPermitAsync<T>(string account, CallKind kind, Func<Task<T>> call, CancellationToken ct)
        {
            clock.Advance(wait);
            return PermitUseBy.Run(clock.GetUtcNow().AddMilliseconds(250), clock, call);
        }
    }
}
