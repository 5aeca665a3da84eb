using Akka.Actor;
using Orchestrator.Hosting;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Tasks;

/// <summary>
/// A task survives the end of its actor system: a second system on the same SQLite journal finishes it,
/// and the provider never sees a second submit.
/// </summary>
public sealed class TaskRecoveryTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;
    private OrchestratorOptions _options = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 2, ImageMaxSeconds = 2.5 });
        _options = TaskActors.Options(_dir.SqliteConnectionString(), _sim.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<TaskActors> StartAsync(string name)
    {
        var actors = await TaskActors.StartAsync(_options, name: name);
        await actors.Readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));
        return actors;
    }

    [Fact]
    public async Task A_restart_mid_poll_resumes_polling_without_resubmitting()
    {
        var actors = await StartAsync("first");
        var view = await actors.SubmitAsync(TaskActors.Image());
        await Eventually.Until(() => actors.Supervisor.Ask<TaskView>(new GetTask(view.Id)), v => v.ProviderTaskId is not null,
            TimeSpan.FromSeconds(10), "the provider id to be journaled");
        await actors.DisposeAsync();

        var resumed = await StartAsync("second");
        try
        {
            var final = await resumed.WaitForEndAsync(view.Id);
            Assert.Equal(TaskLifecycle.Succeeded, final.Status);
            Assert.Equal(1, _sim.Sim.Stats().Submits);
            Assert.Equal(0, _sim.Sim.Stats().DuplicateExternalIds);
        }
        finally
        {
            await resumed.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_crash_after_the_provider_created_the_task_but_before_we_journaled_its_id_adopts_that_task()
    {
        _sim.Sim.Inject(SimulatedFault.AcceptThenHang, 1);
        var actors = await StartAsync("first");
        var view = await actors.SubmitAsync(TaskActors.Image());
        await Eventually.Until(() => Task.FromResult(_sim.Sim.Stats().Tasks), n => n == 1, TimeSpan.FromSeconds(10), "the provider to create the task");
        var before = await actors.Supervisor.Ask<TaskView>(new GetTask(view.Id));
        Assert.Null(before.ProviderTaskId);
        await actors.DisposeAsync();

        var resumed = await StartAsync("second");
        try
        {
            var final = await resumed.WaitForEndAsync(view.Id);
            Assert.Equal(TaskLifecycle.Succeeded, final.Status);
            Assert.NotNull(final.ProviderTaskId);
            var stats = _sim.Sim.Stats();
            Assert.Equal(1, stats.Submits);
            Assert.Equal(0, stats.DuplicateExternalIds);
        }
        finally
        {
            await resumed.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ended_tasks_are_listed_after_a_restart_and_not_resumed()
    {
        var actors = await StartAsync("first");
        var view = await actors.SubmitAsync(TaskActors.Image());
        await actors.WaitForEndAsync(view.Id);
        var pollsBefore = _sim.Sim.Stats().Polls;
        await actors.DisposeAsync();

        var resumed = await StartAsync("second");
        try
        {
            var page = (await resumed.Reads.ListAsync(new ListTasks(null, null, 10, null), CancellationToken.None))!;
            var listed = Assert.Single(page.Items);
            Assert.Equal(view.Id, listed.Id);
            Assert.Equal(TaskLifecycle.Succeeded, listed.Status);
            Assert.Equal(pollsBefore, _sim.Sim.Stats().Polls);
        }
        finally
        {
            await resumed.DisposeAsync();
        }
    }
}
