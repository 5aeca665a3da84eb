using Akka.Actor;
using Orchestrator.Hosting;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using static Orchestrator.Tests.Tasks.SteppedScheduleTests;

namespace Orchestrator.Tests.Tasks;

/// <summary>
/// A task interrupted mid-poll, on a controlled clock: by the end of its process (a new actor system on the same journal
/// and clock) or by its own actor failing (its supervisor restarts it). It resumes from the journal without submitting
/// again, keeps the invariant from the first moment after recovery, and ends on its plan.
/// </summary>
public sealed class SteppedRestartTests
{
    [Fact]
    public async Task After_a_process_restart_mid_poll_the_task_resumes_polling_without_resubmitting()
    {
        await using var rig = await SteppedTaskActors.StartAsync(providerSeconds: 30);
        var task = await InterruptedPollAsync(rig);

        await rig.RestartSystemAsync();

        await AssertResumedAsync(rig, task);
    }

    [Fact]
    public async Task After_a_process_restart_a_task_at_the_provider_is_read_back_asleep_with_no_actor_until_its_first_poll()
    {
        await using var rig = await SteppedTaskActors.StartAsync(providerSeconds: 30);
        var task = await InterruptedPollAsync(rig);

        await rig.RestartSystemAsync();

        // Counted by its supervisor, yet no actor: it sleeps until its poll (its state read back with many others').
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var report = await rig.Actors.Supervisor.Ask<StuckTaskReport>(new ListStuck(TimeSpan.FromSeconds(3)), TimeSpan.FromSeconds(10));
            var actor = await rig.System.ActorSelection($"/user/tasks/{task.Id}").Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10));
            if (report.Checked == 1 && actor.Subject is null) break;
            Assert.True(DateTime.UtcNow < deadline, $"not asleep: {report.Checked} counted, actor {actor.Subject}");
            await Task.Delay(10);
        }
        await AssertResumedAsync(rig, task);
    }

    [Fact]
    public async Task After_its_actor_fails_mid_poll_the_task_recovers_and_resumes_polling_without_resubmitting()
    {
        await using var rig = await SteppedTaskActors.StartAsync(providerSeconds: 30);
        var task = await InterruptedPollAsync(rig);

        rig.KillTaskActor(task.Id);

        await AssertResumedAsync(rig, task);
    }

    /// <summary>Polls at 10 s, then holds the answer of the 15 s poll: the task has a call in flight.</summary>
    private static async Task<TaskView> InterruptedPollAsync(SteppedTaskActors rig)
    {
        var task = await rig.SubmitAsync();
        AssertInstants([10], await rig.DriveAsync(task, untilSeconds: 14));
        rig.Held.HoldNext();
        rig.Advance(TimeSpan.FromSeconds(1));
        await rig.Held.WhenHeld.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True((await rig.Actors.ProgressAsync(task.Id)).CallInFlight);
        Assert.Equal(2, rig.Polls);
        return task;
    }

    private static async Task AssertResumedAsync(SteppedTaskActors rig, TaskView task)
    {
        // Recovered at 15 s: it waits on one timer, its next poll spread over the first interval (10 s) so that
        // many recovered tasks do not poll at once.
        var resumed = await rig.WaitIdleAsync(task.Id);
        Assert.False(resumed.Status.IsTerminal());
        Assert.True(resumed.TimerPending, resumed.ToString());
        var view = await rig.ViewAsync(task.Id);
        Assert.Equal(task.ProviderTaskId, view.ProviderTaskId);
        Assert.InRange((view.NextPollAt!.Value - task.SubmittedAt!.Value).TotalSeconds, 15, 25);

        var polls = await rig.DriveAsync(task, untilSeconds: 600);

        // Whenever the spread poll fell, the plan goes on from there: the task is found done at 33.75 s as before.
        Assert.Equal(33.75, polls[^1], 3);
        var end = await rig.ViewAsync(task.Id);
        Assert.Equal(TaskLifecycle.Succeeded, end.Status);
        Assert.Equal(33.75, (end.CompletedAt!.Value - task.SubmittedAt.Value).TotalSeconds, 6);
        var stats = rig.Simulator.Sim.Stats();
        Assert.Equal(1, stats.Submits);
        Assert.Equal(0, stats.DuplicateExternalIds);
        Assert.Equal(["TaskAccepted", "TaskSubmitted", "TaskSucceeded"], await rig.JournalAsync(task.Id));
        await AssertNothingMoreHappensAsync(rig, task.Id);
    }
}
