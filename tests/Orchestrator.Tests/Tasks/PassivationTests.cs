using Akka.Actor;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Tasks;

/// <summary>An ended task leaves memory after its idle time, and again each time a read brings it back.</summary>
public sealed class PassivationTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;
    private TaskActors _actors = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.4, QueuedFraction = 0 });
        var options = TaskActors.Options(_dir.SqliteConnectionString(), _sim.BaseUrl);
        options.Tasks.PassivateAfterSeconds = 0.5;
        _actors = await TaskActors.StartAsync(options);
        await _actors.Readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        await _actors.DisposeAsync();
        await _sim.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task An_ended_task_read_again_after_it_passivated_passivates_again()
    {
        var view = await _actors.SubmitAsync(TaskActors.Image());
        Assert.Equal(TaskLifecycle.Succeeded, (await _actors.WaitForEndAsync(view.Id)).Status);
        await Eventually.Until(() => _actors.IsInMemoryAsync(view.Id), inMemory => !inMemory, TimeSpan.FromSeconds(10), "the ended task to passivate");

        for (var read = 1; read <= 2; read++)
        {
            var again = await _actors.Supervisor.Ask<TaskView>(new GetTask(view.Id), TimeSpan.FromSeconds(10));
            Assert.Equal(TaskLifecycle.Succeeded, again.Status);
            Assert.True(await _actors.IsInMemoryAsync(view.Id), "the read brought it back");
            await Eventually.Until(() => _actors.IsInMemoryAsync(view.Id), inMemory => !inMemory, TimeSpan.FromSeconds(10), $"the task to passivate after read {read}");
        }
    }
}
