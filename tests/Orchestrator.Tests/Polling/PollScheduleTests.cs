using Orchestrator.Hosting;
using Orchestrator.Polling;

namespace Orchestrator.Tests.Polling;

public sealed class PollScheduleTests
{
    private static readonly PollPlan Plan = new(FirstSeconds: 10, Ratio: 1.5, FloorSeconds: 1, CapSeconds: 60);

    [Fact]
    public void Poll_times_grow_by_the_ratio_between_the_floor_and_the_cap()
    {
        var times = Enumerable.Range(0, 12).Select(Plan.ElapsedAt).ToList();
        Assert.Equal([10, 15, 22.5, 33.75], times.Take(4));
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, g => Assert.InRange(g, 1, 60));
        Assert.Equal(60, gaps[^1], 6);
        Assert.Equal(1.0, new PollPlan(0.5, 1.1, 1, 60).Next(2) - 2, 6); // 10% of 2 s is under the floor
    }

    [Fact]
    public void The_first_poll_comes_at_the_plans_first_time_scaled_by_the_tasks_jitter()
    {
        Assert.Equal(10, PollSchedule.Delay(Plan, 1.0, TimeSpan.Zero, first: true).TotalSeconds, 6);
        Assert.Equal(11, PollSchedule.Delay(Plan, 1.1, TimeSpan.Zero, first: true).TotalSeconds, 6);
        Assert.Equal(9, PollSchedule.Delay(Plan, PollSchedule.Scale(0.1, 0), TimeSpan.Zero, first: true).TotalSeconds, 6);
    }

    [Fact]
    public void After_a_poll_the_next_planned_time_follows_and_a_late_poll_skips_ahead()
    {
        Assert.Equal(5, PollSchedule.Delay(Plan, 1.0, TimeSpan.FromSeconds(10), first: false).TotalSeconds, 6);
        // The throttle held the poll until 23 s: the next is the one planned at 33.75 s, not a hurried 22.5 s.
        Assert.Equal(10.75, PollSchedule.Delay(Plan, 1.0, TimeSpan.FromSeconds(23), first: false).TotalSeconds, 6);
    }

    [Fact]
    public void A_task_restarted_long_after_submission_continues_at_its_next_planned_time()
    {
        var delay = PollSchedule.Delay(Plan, 1.0, TimeSpan.FromSeconds(30), first: true);
        Assert.Equal(33.75 - 30, delay.TotalSeconds, 6);
    }

    [Fact]
    public void Submit_retries_double_and_cap_at_a_minute()
    {
        var o = new TaskOptions().SubmitRetryBaseSeconds;
        Assert.Equal(1, PollSchedule.SubmitRetryDelay(o, 1, 0.5).TotalSeconds, 6);
        Assert.Equal(4, PollSchedule.SubmitRetryDelay(o, 3, 0.5).TotalSeconds, 6);
        Assert.Equal(60, PollSchedule.SubmitRetryDelay(o, 30, 0.5).TotalSeconds, 6);
    }
}
