using System.Net;

namespace Orchestrator.Tests.Simulator;

/// <summary>
/// The fault-injection route takes a count it can hold: the fuzz run's <c>count=2000000000</c> queued two billion faults,
/// and the process was killed for running out of memory (22 GB).
/// </summary>
[Collection(SimulatorCollection.Name)]
public sealed class FaultInjectionLimitTests : IAsyncLifetime
{
    private SimulatorHarness _h = null!;

    public async Task InitializeAsync() => _h = await SimulatorHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("20000000")]
    public async Task A_fault_count_outside_one_to_ten_thousand_is_a_400_and_injects_nothing(string count)
    {
        using var response = await _h.Http.PostAsync($"/_sim/faults?kind=ServerError&count={count}", null);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"got {(int)response.StatusCode}: {text}");
        Assert.Contains("count", text);
        var (status, _) = await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image());
        Assert.Equal(200, status);
    }
}
