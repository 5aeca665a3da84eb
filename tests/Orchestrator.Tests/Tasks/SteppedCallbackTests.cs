using Orchestrator.Providers;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using static Orchestrator.Tests.Tasks.SteppedScheduleTests;

namespace Orchestrator.Tests.Tasks;

/// <summary>
/// Provider callbacks at the task actor, on a controlled clock. With callbacks on, the polls are a safety net (first at
/// 3 × the 10 s prior = 30 s, then doubling). The simulator's own callbacks go to a port nothing listens on; the test
/// delivers callbacks itself, as the callback endpoint does once a token checked out (forged ones stop there with 401,
/// see CallbackEndpointTests; here a callback naming another provider task stands for one that slipped through).
/// </summary>
public sealed class SteppedCallbackTests
{
    private static Task<SteppedTaskActors> StartAsync(double providerSeconds) =>
        SteppedTaskActors.StartAsync(providerSeconds, o => o.PublicBaseUrl = "http://127.0.0.1:9/");

    [Fact]
    public async Task A_callback_saying_the_task_ended_is_verified_by_one_query_at_once_and_a_late_one_changes_nothing()
    {
        await using var rig = await StartAsync(providerSeconds: 5);
        var task = await rig.SubmitAsync();
        Assert.Equal(task.SubmittedAt!.Value.AddSeconds(30), task.NextPollAt); // the safety net
        Assert.Empty(await rig.DriveAsync(task, untilSeconds: 5));

        rig.Tell(rig.Callback(task.Id, task.ProviderTaskId!, ProviderTaskStatus.Succeeded));

        var idle = await rig.WaitUntilAsync(task.Id, p => p.Status.IsTerminal() && !p.CallInFlight, "ended");
        Assert.Equal(TaskLifecycle.Succeeded, idle.Status);
        Assert.False(idle.TimerPending || idle.AwaitingPermit);
        var end = await rig.ViewAsync(task.Id);
        Assert.Equal(1, end.Polls);
        Assert.Equal(1, rig.Polls);
        Assert.Single(end.Results); // from the verification query: a callback's own body is not trusted for results
        Assert.Equal(5, (end.CompletedAt!.Value - task.SubmittedAt.Value).TotalSeconds, 6);

        // Late: the task has ended.
        rig.Advance(TimeSpan.FromSeconds(1));
        rig.Tell(rig.Callback(task.Id, task.ProviderTaskId!, ProviderTaskStatus.Succeeded));
        rig.Tell(rig.Callback(task.Id, task.ProviderTaskId!, ProviderTaskStatus.Failed));
        var after = await rig.WaitIdleAsync(task.Id);
        Assert.Equal(TaskLifecycle.Succeeded, after.Status);
        Assert.Equal(idle.JournalWrites, after.JournalWrites);
        Assert.Equal(1, rig.Polls);
        await AssertNothingMoreHappensAsync(rig, task.Id);
    }

    [Fact]
    public async Task Repeated_callbacks_still_cost_a_single_verification_query()
    {
        await using var rig = await StartAsync(providerSeconds: 5);
        var task = await rig.SubmitAsync();
        Assert.Empty(await rig.DriveAsync(task, untilSeconds: 6));

        for (var i = 0; i < 3; i++) rig.Tell(rig.Callback(task.Id, task.ProviderTaskId!, ProviderTaskStatus.Succeeded));

        var idle = await rig.WaitUntilAsync(task.Id, p => p.Status.IsTerminal() && !p.CallInFlight, "ended");
        Assert.Equal(TaskLifecycle.Succeeded, idle.Status);
        Assert.Equal(1, rig.Polls);
        Assert.Equal(["TaskAccepted", "TaskSubmitted", "TaskSucceeded"], await rig.JournalAsync(task.Id));
        await AssertNothingMoreHappensAsync(rig, task.Id);
    }

    [Fact]
    public async Task A_callback_arriving_while_a_poll_is_in_flight_is_verified_by_exactly_one_query_right_after_it()
    {
        await using var rig = await StartAsync(providerSeconds: 40);
        var task = await rig.SubmitAsync();
        Assert.Empty(await rig.DriveAsync(task, untilSeconds: 29));

        // The 30 s safety-net poll finds the task running; its answer is held while the provider finishes at 40 s.
        rig.Held.HoldNext();
        rig.Advance(TimeSpan.FromSeconds(1));
        await rig.Held.WhenHeld.WaitAsync(TimeSpan.FromSeconds(20));
        rig.Advance(TimeSpan.FromSeconds(10));
        rig.Tell(rig.Callback(task.Id, task.ProviderTaskId!, ProviderTaskStatus.Succeeded));
        var waiting = await rig.Actors.ProgressAsync(task.Id); // routed after the callback, so answered after it
        Assert.True(waiting.CallInFlight && !waiting.TimerPending && !waiting.AwaitingPermit, waiting.ToString());
        Assert.Equal(1, rig.Polls);

        rig.Held.Release();

        var idle = await rig.WaitUntilAsync(task.Id, p => p.Status.IsTerminal() && !p.CallInFlight, "ended");
        Assert.Equal(TaskLifecycle.Succeeded, idle.Status);
        Assert.Equal(2, rig.Polls);
        var end = await rig.ViewAsync(task.Id);
        Assert.Equal(40, (end.CompletedAt!.Value - task.SubmittedAt!.Value).TotalSeconds, 6);
        await AssertNothingMoreHappensAsync(rig, task.Id);
    }

    [Fact]
    public async Task A_callback_about_another_provider_task_is_ignored()
    {
        await using var rig = await StartAsync(providerSeconds: 5);
        var task = await rig.SubmitAsync();
        Assert.Empty(await rig.DriveAsync(task, untilSeconds: 6));

        rig.Tell(rig.Callback(task.Id, "someone-elses-task", ProviderTaskStatus.Succeeded));
        rig.Tell(rig.Callback(task.Id, "someone-elses-task", ProviderTaskStatus.Running));

        var idle = await rig.WaitIdleAsync(task.Id);
        Assert.True(idle.TimerPending);
        var view = await rig.ViewAsync(task.Id);
        Assert.Equal(TaskLifecycle.Submitted, view.Status);
        Assert.Equal(task.NextPollAt, view.NextPollAt);
        Assert.Equal(0, rig.Polls);

        // The safety net still finds the real end.
        AssertInstants([30], await rig.DriveAsync(task, untilSeconds: 600));
        Assert.Equal(TaskLifecycle.Succeeded, (await rig.ViewAsync(task.Id)).Status);
    }

    [Fact]
    public async Task A_callback_saying_processing_marks_the_task_processing_without_a_query()
    {
        await using var rig = await StartAsync(providerSeconds: 20);
        var task = await rig.SubmitAsync();
        Assert.Empty(await rig.DriveAsync(task, untilSeconds: 3));

        rig.Tell(rig.Callback(task.Id, task.ProviderTaskId!, ProviderTaskStatus.Running));

        var view = await rig.ViewAsync(task.Id);
        Assert.Equal(TaskLifecycle.Processing, view.Status);
        Assert.Equal(task.NextPollAt, view.NextPollAt);
        Assert.True((await rig.WaitIdleAsync(task.Id)).TimerPending);
        Assert.Equal(0, rig.Polls);
        AssertInstants([30], await rig.DriveAsync(task, untilSeconds: 600));
    }
}
