using Orchestrator.Tasks;

namespace Orchestrator.Tests.Tasks;

/// <summary>A task stopped by a journal failure comes back later each time, spread, so a crowd does not return at once.</summary>
public sealed class RewakeDelayTests
{
    [Fact]
    public void The_delay_doubles_from_five_seconds_to_two_minutes_and_is_spread_by_a_quarter()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), TaskSupervisor.RewakeDelay(1, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(10), TaskSupervisor.RewakeDelay(2, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(80), TaskSupervisor.RewakeDelay(5, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(120), TaskSupervisor.RewakeDelay(6, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(120), TaskSupervisor.RewakeDelay(1_000, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(3.75), TaskSupervisor.RewakeDelay(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(150), TaskSupervisor.RewakeDelay(9, 1));
    }
}
