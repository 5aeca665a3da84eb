using Orchestrator.Tasks;
using Orchestrator.Timelines;

namespace Orchestrator.Tests.ReadModel;

/// <summary>A task's timeline: journaled moments from its view, the rest as this node saw them, for its recent tasks only.</summary>
public sealed class TaskTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static TaskView View(string id, TaskLifecycle status, int polls, DateTimeOffset? completedAt = null) =>
        new(id, "simulator", "text-to-image", "kling-v1-5", status, "p-1", [], null, 1, polls, T0, T0.AddSeconds(1), completedAt, null, null);

    [Fact]
    public void Seen_polls_and_statuses_sit_between_acceptance_and_the_end_and_polls_before_a_restart_are_counted_as_unobserved()
    {
        var seen = new TaskTimelines();
        seen.Observe(View("a", TaskLifecycle.Submitting, 0), T0.AddSeconds(0.5));
        seen.Polled("a", T0.AddSeconds(3));
        seen.Observe(View("a", TaskLifecycle.Processing, 1), T0.AddSeconds(3.1));
        seen.Callback("a", "succeeded", T0.AddSeconds(4));
        seen.Polled("a", T0.AddSeconds(5));

        // The end's time equals the last poll's: the end stays last. Five polls in all, two of them seen here.
        var timeline = TimelineOf.Build(View("a", TaskLifecycle.Succeeded, 5, T0.AddSeconds(5)), seen.Find("a"));

        Assert.Equal(["accepted", "submitting", "submitted", "poll", "processing", "callback", "poll", "succeeded"], timeline.Entries.Select(e => e.Event));
        Assert.Equal(3, timeline.UnobservedPolls);
        Assert.Equal("#2", timeline.Entries[6].Detail);
    }

    [Fact]
    public void Only_the_most_recent_tasks_are_kept()
    {
        var seen = new TaskTimelines(maxTasks: 2);
        foreach (var id in new[] { "a", "b", "c" }) seen.Polled(id, T0);

        Assert.Null(seen.Find("a"));
        Assert.NotNull(seen.Find("b"));
        Assert.NotNull(seen.Find("c"));
        Assert.Equal(1, TimelineOf.Build(View("a", TaskLifecycle.Processing, 1), seen.Find("a")).UnobservedPolls);
    }
}
