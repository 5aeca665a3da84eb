using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ReadModel;

/// <summary>The live views of running tasks: what readers see before the projector, and when it stops mattering.</summary>
public sealed class LiveTaskViewsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static TaskView View(TaskLifecycle status) =>
        TaskView.From(TaskState.Empty.Apply(new TaskAccepted("t", TaskActors.Image(), T0))) with { Status = status };

    [Fact]
    public async Task A_waiter_is_answered_by_the_actors_journaled_end_without_waiting_for_the_projector()
    {
        var progress = new ProjectionProgress();
        var live = new LiveTaskViews(progress);
        var ended = progress.WhenEnded("t");

        live.Set(View(TaskLifecycle.Processing), 2);
        Assert.False(ended.IsCompleted);
        live.Set(View(TaskLifecycle.Succeeded), 3);
        Assert.True(ended.IsCompleted, "the end was not handed to the waiter");
        Assert.Equal(TaskLifecycle.Succeeded, (await ended).Status);
    }

    [Fact]
    public void A_stopped_actors_view_stays_until_the_projector_has_written_all_it_journaled()
    {
        var live = new LiveTaskViews();
        live.Set(View(TaskLifecycle.Succeeded), 3);
        live.Stopped("t", 3);

        Assert.False(live.Projected("t", 2));
        Assert.NotNull(live.Find("t"));
        Assert.Equal([("t", 3L)], live.DrainStopped());
        Assert.True(live.Projected("t", 3));
        Assert.Null(live.Find("t"));
    }

    [Fact]
    public void A_running_actors_view_is_never_dropped_by_the_projector_and_one_that_wrote_nothing_goes_at_once()
    {
        var live = new LiveTaskViews();
        live.Set(View(TaskLifecycle.Processing), 2);
        Assert.False(live.Projected("t", 5));
        Assert.NotNull(live.Find("t"));

        live.Stopped("t", 0);
        Assert.Null(live.Find("t"));
    }
}
