using Orchestrator.Hosting;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Tasks;

/// <summary>
/// Sleeping is on unless turned off: a task whose provider takes minutes costs no actor while it waits, with no setting
/// at all. Cluster mode leaves it off (a shard region hosts tasks there), and 0 turns it off anywhere.
/// </summary>
public sealed class SleepingByDefaultTests
{
    [Fact]
    public async Task With_no_setting_a_task_waiting_minutes_on_its_provider_sleeps()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 600, ImageMaxSeconds = 600, QueuedFraction = 0 });
        var options = TaskActors.Options(dir.SqliteConnectionString(), sim.BaseUrl);
        options.Polling.ImagePriorSeconds = 600;
        options.Polling.CapSeconds = 300;
        Assert.Null(options.Tasks.SleepWhenWaitingSeconds);
        await using var actors = await TaskActors.StartAsync(options);
        await actors.Readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));

        var view = await actors.SubmitAsync(TaskActors.Image());

        var asleep = await Eventually.Until(async () => (View: await actors.Reads.GetAsync(view.Id, CancellationToken.None), InMemory: await actors.IsInMemoryAsync(view.Id)),
            s => !s.InMemory && s.View is { ProviderTaskId: not null }, TimeSpan.FromSeconds(20), "the waiting task to sleep");
        Assert.False(asleep.View!.Status.IsTerminal());
        Assert.NotNull(asleep.View.NextPollAt);
    }

    // The same on a single node and in cluster mode, where a sleeping task's wake-up is a row of the shared database.
    [Theory]
    [InlineData(null, 30d)]
    [InlineData(0d, null)]
    [InlineData(5d, 5d)]
    public void The_wait_a_task_sleeps_through(double? setting, double? expectedSeconds)
    {
        var tasks = new TaskOptions { SleepWhenWaitingSeconds = setting };
        var expected = expectedSeconds is { } s ? TimeSpan.FromSeconds(s) : TimeSpan.MaxValue;
        Assert.Equal(expected, tasks.SleepAfter());
    }
}
