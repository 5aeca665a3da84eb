using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ReadModel;

/// <summary>The read model's view of a task is the view of its folded state, whatever the order of its journal's events.</summary>
public sealed class TaskViewProjectionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly GenerationRequest Request = TaskActors.Image() with { BatchId = "b", BatchLine = 7, Metadata = new Dictionary<string, string> { ["k"] = "v" } };

    private static readonly Dictionary<string, ITaskEvent[]> Histories = new()
    {
        { "succeeded", [new TaskAccepted("t", Request, T0), new TaskSubmitted("t", "p1", 1, T0.AddSeconds(1)),
            new TaskSucceeded("t", [new TaskResult(0, "https://r/0", "image")], 3, T0.AddSeconds(9))] },
        { "failed after refused and unconfirmed attempts", [new TaskAccepted("t", Request, T0), new TaskSubmitAttempted("t", 1, T0),
            new TaskSubmitRefused("t", 1, false, T0.AddSeconds(1)), new TaskSubmitAttempted("t", 1, T0.AddSeconds(2)),
            new TaskSubmitted("t", "p1", 1, T0.AddSeconds(3)), new TaskFailed("t", new TaskError("1203", "gone", false), 2, 4, T0.AddSeconds(5))] },
        { "timed out", [new TaskAccepted("t", Request, T0), new TaskSubmitted("t", "p1", 2, T0.AddSeconds(1)), new TaskTimedOut("t", 6, T0.AddSeconds(60))] },
        { "cancelled, then the submit answered late", [new TaskAccepted("t", Request, T0), new TaskCancelled("t", 0, T0.AddSeconds(1)),
            new TaskSubmitted("t", "p1", 1, T0.AddSeconds(2))] },
        { "cancelled while queued in its batch", [new TaskCancelledQueued("t", Request, T0)] },
        { "still waiting", [new TaskAccepted("t", Request, T0), new TaskSubmitAttempted("t", 1, T0)] },
        { "sent again after a lost answer", [new TaskAccepted("t", Request, T0), new TaskSubmitAttempted("t", 1, T0),
            new TaskSubmitAttempted("t", 2, T0.AddSeconds(31), PossibleDuplicate: true), new TaskSubmitted("t", "p1", 2, T0.AddSeconds(32))] },
    };

    public static TheoryData<string> HistoryNames => [.. Histories.Keys];

    [Theory]
    [MemberData(nameof(HistoryNames))]
    public void Each_event_in_turn_gives_the_view_of_the_state_folded_so_far(string history)
    {
        var events = Histories[history];
        TaskView? projected = null;
        var state = TaskState.Empty;
        foreach (var e in events)
        {
            projected = TaskViewProjection.Apply(projected, e);
            state = state.Apply(e);
            var expected = TaskView.From(state);
            // Records compare lists by reference: compare what the API shows.
            Assert.True(Wire(expected) == Wire(projected!), $"{history}, after {e.GetType().Name}");
        }
    }

    [Fact]
    public void An_event_before_the_acceptance_makes_no_view_and_a_second_acceptance_changes_nothing()
    {
        Assert.Null(TaskViewProjection.Apply(null, new TaskSubmitted("t", "p1", 1, T0)));
        var view = TaskViewProjection.Apply(null, new TaskAccepted("t", Request, T0));
        Assert.Same(view, TaskViewProjection.Apply(view, new TaskAccepted("t", Request with { Prompt = "other" }, T0.AddSeconds(1))));
    }

    private static string Wire(TaskView view) => System.Text.Json.JsonSerializer.Serialize(view, Orchestrator.Contracts.WireJson.Options);
}
