using Akka.Actor;
using Orchestrator.Hosting;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Tasks;

/// <summary>The task actor against a real SQLite journal and the simulator over loopback HTTP.</summary>
public sealed class GenerationTaskTests : IAsyncLifetime
{
    private static readonly TempDirectory Dir = new();
    private SimulatorServer _sim = null!;
    private TaskActors _actors = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.5, ImageMaxSeconds = 1, QueuedFraction = 0.3 });
        _actors = await TaskActors.StartAsync(TaskActors.Options(Dir.SqliteConnectionString($"tasks-{Guid.NewGuid():N}.db"), _sim.BaseUrl));
        await _actors.Readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        await _actors.DisposeAsync();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task A_task_succeeds_with_three_journal_writes_and_keeps_the_invariant_while_running()
    {
        var view = await _actors.SubmitAsync(TaskActors.Image());
        var ended = _actors.WaitForEndAsync(view.Id);

        // Sample the actor while it works: until it ends it waits on exactly one timer, permit or call.
        var samples = 0;
        while (!ended.IsCompleted)
        {
            var p = await _actors.ProgressAsync(view.Id);
            if (!p.Status.IsTerminal())
            {
                samples++;
                Assert.Equal(1, (p.TimerPending ? 1 : 0) + (p.AwaitingPermit ? 1 : 0) + (p.CallInFlight ? 1 : 0));
            }
            await Task.Delay(20);
        }
        Assert.True(samples > 5, $"only {samples} samples taken while running");

        var final = await ended;
        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.Single(final.Results);
        var progress = await _actors.ProgressAsync(view.Id);
        Assert.Equal(3, progress.JournalWrites); // accepted, submitted, succeeded
        Assert.False(progress.TimerPending || progress.AwaitingPermit || progress.CallInFlight);
    }

    [Fact]
    public async Task A_provider_failure_ends_the_task_failed_with_the_providers_reason()
    {
        _sim.Sim.Options.FailureRate = 1;
        var view = await _actors.SubmitAsync(TaskActors.Image());
        var final = await _actors.WaitForEndAsync(view.Id);
        Assert.Equal(TaskLifecycle.Failed, final.Status);
        Assert.Equal("task_failed", final.Error!.Code);
        Assert.Contains("risk control", final.Error.Message);
        Assert.False(final.Error.Retryable);
    }

    [Fact]
    public async Task Transient_http_errors_are_retried_and_never_create_a_second_provider_task()
    {
        _sim.Sim.Inject(SimulatedFault.ServerError, 3);
        var view = await _actors.SubmitAsync(TaskActors.Image());
        var final = await _actors.WaitForEndAsync(view.Id);

        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.True(final.SubmitAttempts >= 2);
        var stats = _sim.Sim.Stats();
        Assert.Equal(3, stats.ServerErrors);
        Assert.Equal(1, stats.Submits);
    }

    [Fact]
    public async Task Malformed_poll_answers_are_tolerated()
    {
        var view = await _actors.SubmitAsync(TaskActors.Image());
        await Eventually.Until(() => _actors.Supervisor.Ask<TaskView>(new GetTask(view.Id)), v => v.ProviderTaskId is not null,
            TimeSpan.FromSeconds(10), "the provider id");
        _sim.Sim.Inject(SimulatedFault.Malformed, 2);
        var final = await _actors.WaitForEndAsync(view.Id);
        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
    }

    [Fact]
    public async Task Cancelling_ends_the_task_at_once_and_the_provider_task_is_watched_quietly_until_it_ends()
    {
        var view = await _actors.SubmitAsync(TaskActors.Image());
        await Eventually.Until(() => _actors.Supervisor.Ask<TaskView>(new GetTask(view.Id)), v => v.ProviderTaskId is not null,
            TimeSpan.FromSeconds(10), "the provider id");
        var reply = await _actors.Supervisor.Ask<CancelReply>(new CancelTask(view.Id), TimeSpan.FromSeconds(5));
        Assert.True(reply.Cancelled);
        Assert.Equal(TaskLifecycle.Cancelled, reply.View.Status);
        var pollsAtCancel = _sim.Sim.Stats().Polls;

        // The provider has no cancel call: the task keeps being polled (quietly) until the provider says it ended.
        await Eventually.Until(() => _actors.ProgressAsync(view.Id), p => !(p.TimerPending || p.AwaitingPermit || p.CallInFlight),
            TimeSpan.FromSeconds(10), "the quiet watch to end");
        Assert.True(_sim.Sim.Stats().Polls > pollsAtCancel);
        var final = await _actors.Supervisor.Ask<TaskView>(new GetTask(view.Id));
        Assert.Equal(TaskLifecycle.Cancelled, final.Status);
        Assert.NotNull(final.ProviderTaskId);
        Assert.False((await _actors.Supervisor.Ask<CancelReply>(new CancelTask(view.Id), TimeSpan.FromSeconds(5))).Cancelled);
    }

    [Fact]
    public async Task A_deadline_ends_the_task_timed_out_keeping_its_provider_id()
    {
        _sim.Sim.Options.ImageMinSeconds = _sim.Sim.Options.ImageMaxSeconds = 60;
        var view = await _actors.SubmitAsync(TaskActors.Image() with { DeadlineSeconds = 2 });
        var final = await _actors.WaitForEndAsync(view.Id);
        Assert.Equal(TaskLifecycle.TimedOut, final.Status);
        Assert.NotNull(final.ProviderTaskId);
        Assert.Equal("deadline_exceeded", final.Error!.Code);
    }

    [Fact]
    public async Task An_unknown_task_is_not_found()
    {
        var reply = await _actors.Supervisor.Ask<object>(new GetTask(TaskIds.New()), TimeSpan.FromSeconds(5));
        Assert.IsType<TaskNotFound>(reply);
    }
}
