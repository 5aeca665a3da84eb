using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Tasks;

public sealed class PollScheduleTests
{
    private static readonly PollingOptions Defaults = new();

    [Theory]
    [InlineData(false, 1.0)]
    [InlineData(true, 3.0)]
    public void The_first_poll_comes_at_the_seeds_interval(bool video, double seconds)
    {
        Assert.Equal(seconds, PollSchedule.Delay(Defaults, video, 0, 0.5).TotalSeconds, 6);
    }

    [Fact]
    public void Intervals_grow_geometrically_up_to_the_cap()
    {
        var delays = Enumerable.Range(0, 12).Select(i => PollSchedule.Delay(Defaults, false, i, 0.5).TotalSeconds).ToList();
        Assert.Equal(1.5, delays[1], 6);
        Assert.Equal(2.25, delays[2], 6);
        Assert.All(delays.Zip(delays.Skip(1)), p => Assert.True(p.Item2 >= p.Item1));
        Assert.Equal(30, delays[^1], 6);
    }

    [Fact]
    public void Jitter_stays_within_ten_percent()
    {
        Assert.Equal(0.9 * 2.25, PollSchedule.Delay(Defaults, false, 2, 0).TotalSeconds, 6);
        Assert.Equal(1.1 * 2.25, PollSchedule.Delay(Defaults, false, 2, 0.999999).TotalSeconds, 3);
    }

    [Fact]
    public void Submit_retries_double_and_cap_at_a_minute()
    {
        var o = new TaskOptions();
        Assert.Equal(1, PollSchedule.SubmitRetryDelay(o, 1, 0.5).TotalSeconds, 6);
        Assert.Equal(4, PollSchedule.SubmitRetryDelay(o, 3, 0.5).TotalSeconds, 6);
        Assert.Equal(60, PollSchedule.SubmitRetryDelay(o, 30, 0.5).TotalSeconds, 6);
    }
}
