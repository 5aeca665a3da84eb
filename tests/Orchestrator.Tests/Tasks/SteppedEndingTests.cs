using Akka.Actor;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using static Orchestrator.Tests.Tasks.SteppedScheduleTests;

namespace Orchestrator.Tests.Tasks;

/// <summary>
/// Ends the user causes or the clock causes, on a controlled clock: the deadline, a cancel while the poll timer is
/// pending, a cancel racing the poll that finds the task done; and the quiet watching of the provider task that follows.
/// A cap of 15 s (the quiet-watching interval) makes the watching visible within a minute.
/// </summary>
public sealed class SteppedEndingTests
{
    [Fact]
    public async Task A_deadline_ends_the_task_timed_out_on_time_and_the_provider_task_is_watched_at_the_cap_until_it_ends()
    {
        await using var rig = await SteppedTaskActors.StartAsync(providerSeconds: 60, o => o.Polling.CapSeconds = 15);
        var task = await rig.SubmitAsync(TaskActors.Image() with { DeadlineSeconds = 20 });

        var polls = await rig.DriveAsync(task, untilSeconds: 20);

        AssertInstants([10, 15], polls);
        var timedOut = await rig.ViewAsync(task.Id);
        Assert.Equal(TaskLifecycle.TimedOut, timedOut.Status);
        Assert.Equal("deadline_exceeded", timedOut.Error!.Code);
        Assert.Equal(20, (timedOut.CompletedAt!.Value - task.CreatedAt).TotalSeconds, 6);
        Assert.Equal(task.ProviderTaskId, timedOut.ProviderTaskId);
        Assert.Equal(task.SubmittedAt!.Value.AddSeconds(35), timedOut.NextPollAt); // the cap, not the plan's 22.5 s

        // The provider has no cancel call: its task runs on (holding a slot) and is asked about every 15 s until it ends at 60 s.
        var quiet = await rig.DriveAsync(task, untilSeconds: 600);
        AssertInstants([35, 50, 65], quiet);
        Assert.Equal(task.SubmittedAt.Value.AddSeconds(60), rig.Simulator.Sim.Peek(task.ProviderTaskId!)!.EndsAt);
        var end = await rig.ViewAsync(task.Id);
        Assert.Equal(TaskLifecycle.TimedOut, end.Status);
        Assert.Equal(timedOut.CompletedAt, end.CompletedAt);
        Assert.Equal(["TaskAccepted", "TaskSubmitted", "TaskTimedOut"], await rig.JournalAsync(task.Id));
        await AssertNothingMoreHappensAsync(rig, task.Id);
    }

    [Fact]
    public async Task Cancelling_while_the_poll_timer_is_pending_ends_the_task_at_once_and_watches_the_provider_task_quietly()
    {
        await using var rig = await SteppedTaskActors.StartAsync(providerSeconds: 30, o => o.Polling.CapSeconds = 15);
        var task = await rig.SubmitAsync();
        AssertInstants([10], await rig.DriveAsync(task, untilSeconds: 12));
        var before = await rig.WaitIdleAsync(task.Id);
        Assert.True(before.TimerPending); // the 15 s poll

        var reply = await rig.Actors.Supervisor.Ask<CancelReply>(new CancelTask(task.Id), TimeSpan.FromSeconds(10));

        Assert.True(reply.Cancelled);
        Assert.Equal(TaskLifecycle.Cancelled, reply.View.Status);
        Assert.Equal(12, (reply.View.CompletedAt!.Value - task.SubmittedAt!.Value).TotalSeconds, 6);
        Assert.Equal(task.ProviderTaskId, reply.View.ProviderTaskId);
        var quiet = await rig.DriveAsync(task, untilSeconds: 600);
        AssertInstants([27, 42], quiet); // not at 15 s: the plan is gone; every cap interval until the provider ended (30 s)
        Assert.Equal(TaskLifecycle.Cancelled, (await rig.ViewAsync(task.Id)).Status);
        Assert.False((await rig.Actors.Supervisor.Ask<CancelReply>(new CancelTask(task.Id), TimeSpan.FromSeconds(10))).Cancelled);
        Assert.Equal(["TaskAccepted", "TaskSubmitted", "TaskCancelled"], await rig.JournalAsync(task.Id));
        await AssertNothingMoreHappensAsync(rig, task.Id);
    }

    [Fact]
    public async Task A_cancel_racing_the_poll_that_finds_the_task_done_ends_it_cancelled_once_and_leaves_nothing_behind()
    {
        await using var rig = await SteppedTaskActors.StartAsync(providerSeconds: 30);
        var task = await rig.SubmitAsync();
        AssertInstants([10, 15, 22.5], await rig.DriveAsync(task, untilSeconds: 30));

        // The 33.75 s poll reaches the provider, which answers "succeed"; the answer is held on its way back.
        rig.Held.HoldNext();
        rig.Advance(TimeSpan.FromSeconds(3.75));
        await rig.Held.WhenHeld.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True((await rig.WaitUntilAsync(task.Id, p => p.CallInFlight, "polling")).CallInFlight);

        var reply = await rig.Actors.Supervisor.Ask<CancelReply>(new CancelTask(task.Id), TimeSpan.FromSeconds(10));
        Assert.True(reply.Cancelled);
        rig.Held.Release();

        var idle = await rig.WaitIdleAsync(task.Id);
        Assert.Equal(TaskLifecycle.Cancelled, idle.Status);
        Assert.False(idle.TimerPending); // the answer said the provider task ended: no quiet watching either
        var end = await rig.ViewAsync(task.Id);
        Assert.Equal(TaskLifecycle.Cancelled, end.Status);
        Assert.Empty(end.Results);
        Assert.Equal(33.75, (end.CompletedAt!.Value - task.SubmittedAt!.Value).TotalSeconds, 6);
        Assert.Equal(["TaskAccepted", "TaskSubmitted", "TaskCancelled"], await rig.JournalAsync(task.Id));
        var listed = await rig.StoredEndAsync(task.Id);
        Assert.Equal((TaskLifecycle.Cancelled, end.CompletedAt), (listed.Status, listed.CompletedAt));
        Assert.Equal(4, rig.Polls);
        await AssertNothingMoreHappensAsync(rig, task.Id);
    }
}
