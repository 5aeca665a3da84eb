using Akka.Actor;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Tasks;

/// <summary>
/// Tasks that wait seconds for their next poll sleep through it: no actor, readers still see their progress, they wake
/// for their poll (or for a message such as a cancel) and end as they would have awake.
/// </summary>
public sealed class SleepingTaskActorTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;
    private TaskActors _actors = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 4, ImageMaxSeconds = 5, QueuedFraction = 0 });
        var options = TaskActors.Options(_dir.SqliteConnectionString(), _sim.BaseUrl);
        options.Polling.ImagePriorSeconds = 1;
        options.Polling.CapSeconds = 2;
        options.Tasks.SleepWhenWaitingSeconds = 0.5;
        _actors = await TaskActors.StartAsync(options);
        await _actors.Readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        await _actors.DisposeAsync();
        await _sim.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Asleep: the task has started at the provider, has not ended, and has no actor.</summary>
    private async Task<TaskView> AsleepAsync(string id) => await Eventually.Until(async () =>
        {
            var view = await _actors.Reads.GetAsync(id, CancellationToken.None);
            return (View: view, InMemory: await _actors.IsInMemoryAsync(id));
        }, s => !s.InMemory && s.View is { ProviderTaskId: not null } v && !v.Status.IsTerminal(), TimeSpan.FromSeconds(10), "the task to sleep")
        .ContinueWith(t => t.Result.View!);

    [Fact]
    public async Task A_task_sleeps_between_polls_shows_its_progress_meanwhile_and_succeeds()
    {
        var view = await _actors.SubmitAsync(TaskActors.Image());
        var asleep = await AsleepAsync(view.Id);
        Assert.NotNull(asleep.NextPollAt);
        Assert.True(_actors.Live.AsleepCount >= 1, "its polling progress is kept for readers");

        var ended = await _actors.WaitForEndAsync(view.Id);
        Assert.Equal(TaskLifecycle.Succeeded, ended.Status);
        Assert.True(ended.Polls >= 2, $"polled across sleeps ({ended.Polls})");
        Assert.Equal(1, _sim.Sim.Stats().Submits);
    }

    [Fact]
    public async Task A_cancel_wakes_a_sleeping_task_and_ends_it()
    {
        var view = await _actors.SubmitAsync(TaskActors.Image());
        await AsleepAsync(view.Id);

        var reply = await _actors.Supervisor.Ask<CancelReply>(new CancelTask(view.Id), TimeSpan.FromSeconds(10));
        Assert.True(reply.Cancelled);
        Assert.Equal(TaskLifecycle.Cancelled, (await _actors.WaitForEndAsync(view.Id)).Status);
        Assert.NotNull(reply.View.ProviderTaskId);
    }
}
