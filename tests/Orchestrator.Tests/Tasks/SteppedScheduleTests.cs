using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Tasks;

/// <summary>
/// When a task polls, on a controlled clock (Akka.TestKit's TestScheduler and a fake TimeProvider in lock-step):
/// the prior plan's exact shape, how the lag target bends it, and how learned durations move the first poll.
/// </summary>
public sealed class SteppedScheduleTests
{
    [Fact]
    public async Task A_30s_image_task_is_polled_at_10_15_22_5_and_33_75_s_and_succeeds_at_the_fourth_poll()
    {
        await using var rig = await SteppedTaskActors.StartAsync(providerSeconds: 30);
        var task = await rig.SubmitAsync();
        Assert.Equal(TaskLifecycle.Submitted, task.Status);
        Assert.Equal(task.SubmittedAt!.Value.AddSeconds(10), task.NextPollAt);

        var polls = await rig.DriveAsync(task, untilSeconds: 300);

        AssertInstants([10, 15, 22.5, 33.75], polls);
        var end = await rig.ViewAsync(task.Id);
        Assert.Equal(TaskLifecycle.Succeeded, end.Status);
        Assert.Equal(4, end.Polls);
        Assert.Equal(33.75, (end.CompletedAt!.Value - task.SubmittedAt.Value).TotalSeconds, 6);
        Assert.Single(end.Results);
        // Checked on every sample while it ran: each of the ~40 steps and every wait for a permit or an answer.
        Assert.True(rig.InvariantSamples >= 30, $"only {rig.InvariantSamples} samples of the running task");

        await AssertNothingMoreHappensAsync(rig, task.Id);
    }

    [Theory]
    [InlineData(1.0, new[] { 10, 20, 40.0 })]
    [InlineData(0.2, new[] { 10, 12, 14.4, 17.28, 20.736, 24.8832, 29.85984, 35.831808 })]
    public async Task The_lag_target_sets_the_growth_of_the_schedule(double lagTarget, double[] expected)
    {
        await using var rig = await SteppedTaskActors.StartAsync(providerSeconds: 30, o => o.Polling.LagTarget = lagTarget);
        var task = await rig.SubmitAsync();

        var polls = await rig.DriveAsync(task, untilSeconds: 300);

        AssertInstants(expected, polls);
        for (var i = 1; i < polls.Count; i++) Assert.Equal(1 + lagTarget, polls[i] / polls[i - 1], 6);
        var end = await rig.ViewAsync(task.Id);
        Assert.Equal(TaskLifecycle.Succeeded, end.Status);
        Assert.Equal(expected.Length, end.Polls);
        Assert.Equal(expected[^1], (end.CompletedAt!.Value - task.SubmittedAt!.Value).TotalSeconds, 3);
        // The finished task was noticed within the lag target of its age, and not before it had ended.
        Assert.InRange(expected[^1], 30, 30 * (1 + lagTarget));
        await AssertNothingMoreHappensAsync(rig, task.Id);
    }

    [Fact]
    public async Task After_min_samples_durations_a_new_task_polls_first_where_tasks_end_instead_of_at_the_prior()
    {
        await using var rig = await SteppedTaskActors.StartAsync(providerSeconds: 30, o => o.Polling.MinSamples = 5);
        var warmUp = new List<TaskView>();
        for (var i = 0; i < 5; i++) warmUp.Add(await rig.SubmitAsync());
        Assert.All(warmUp, t => Assert.Equal(t.SubmittedAt!.Value.AddSeconds(10), t.NextPollAt)); // the prior

        var warmUpPolls = await rig.DriveAsync([.. warmUp.Select(t => t.Id)], warmUp[0].SubmittedAt!.Value, untilSeconds: 300);
        AssertInstants([.. new[] { 10, 15, 22.5, 33.75 }.SelectMany(t => Enumerable.Repeat(t, 5))], warmUpPolls);
        foreach (var t in warmUp) Assert.Equal(TaskLifecycle.Succeeded, (await rig.ViewAsync(t.Id)).Status);

        // Five tasks of exactly 30 s were learned: the best plan asks once, at 30 s, with no detection lag.
        var task = await rig.SubmitAsync();
        Assert.Equal(task.SubmittedAt!.Value.AddSeconds(30), task.NextPollAt);
        var polls = await rig.DriveAsync(task, untilSeconds: 300);

        AssertInstants([30], polls);
        var end = await rig.ViewAsync(task.Id);
        Assert.Equal(TaskLifecycle.Succeeded, end.Status);
        Assert.Equal(1, end.Polls);
        Assert.True(end.Polls < 4, "the learned plan needs fewer polls than the prior's four");
        Assert.Equal(30, (end.CompletedAt!.Value - task.SubmittedAt.Value).TotalSeconds, 6);
        await AssertNothingMoreHappensAsync(rig, task.Id);
    }

    /// <summary>Poll instants in seconds after submission, to the millisecond.</summary>
    internal static void AssertInstants(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.True(expected.Count == actual.Count, $"expected polls at [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
        for (var i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 0.001, $"poll {i + 1}: expected at {expected[i]} s, got [{string.Join(", ", actual)}]");
    }

    /// <summary>An ended task has nothing pending, and ten more minutes bring no query.</summary>
    internal static async Task AssertNothingMoreHappensAsync(SteppedTaskActors rig, string id)
    {
        var polls = rig.Polls;
        var idle = await rig.WaitIdleAsync(id);
        Assert.True(idle.Status.IsTerminal());
        Assert.False(idle.TimerPending, "an ended task keeps a timer");
        Assert.Null((await rig.ViewAsync(id)).NextPollAt);
        for (var i = 0; i < 10; i++)
        {
            rig.Advance(TimeSpan.FromMinutes(1));
            Assert.False((await rig.WaitIdleAsync(id)).TimerPending);
        }
        Assert.Equal(polls, rig.Polls);
    }
}
