using System.Text.Json;
using Orchestrator.Contracts;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.ReadModel;

/// <summary>
/// A read-model row keeps a task's view for months: stored without the nulls, zeros and falses a read fills in again,
/// and read back to exactly what the API showed.
/// </summary>
public sealed class StoredViewTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly TaskView[] All =
    [
        new TaskView("01a2311e62747ef6b3266f5f7e7b34bf", "simulator", "text-to-image", "kling-v1", TaskLifecycle.Succeeded, "f898",
            [new TaskResult(0, "http://sim/files/f898/0.png", "image", "/v1/tasks/01a2/results/0", "6b7f", 70, "image/png"),
             new TaskResult(1, "http://sim/files/f898/1.png", "image")],
            null, 1, 3, At, At.AddSeconds(1), At.AddSeconds(6), null, null),
        new TaskView("01a2311e62747ef6b3266f5f7e7b34c0", "kling", "text-to-video", "kling-v2", TaskLifecycle.Failed, null, [],
            new TaskError("1301", "refused", false), 0, 0, At, null, At.AddSeconds(2), null,
            new Dictionary<string, string> { ["tenant"] = "acme" }, "https://hooks.example/x")
        { BatchId = "b1", BatchLine = 0, PossibleDuplicate = true, WaitingFor = "account", RetryOf = "01a2" },
        new TaskView("01a2311e62747ef6b3266f5f7e7b34c1", "simulator", "image-to-video", "kling-v1", TaskLifecycle.Submitting, null, [],
            null, 0, 0, At, null, null, At.AddMinutes(1), null),
    ];

    public static TheoryData<TaskView> Views() => new(All);

    [Theory]
    [MemberData(nameof(Views))]
    public void A_stored_view_reads_back_as_the_API_showed_it(TaskView view)
    {
        var stored = TaskProjectionWriter.WriteView(view);

        var back = TaskProjectionWriter.ReadView(stored);

        Assert.Equal(JsonSerializer.Serialize(view, WireJson.Options), JsonSerializer.Serialize(back, WireJson.Options));
    }

    [Fact]
    public void A_stored_view_leaves_out_what_a_read_fills_in_again()
    {
        var view = All[0];

        var stored = TaskProjectionWriter.WriteView(view);

        Assert.DoesNotContain("null", stored);
        Assert.DoesNotContain("false", stored);
        Assert.True(stored.Length < JsonSerializer.Serialize(view, WireJson.Options).Length - 150,
            $"{stored.Length} bytes stored against {JsonSerializer.Serialize(view, WireJson.Options).Length} shown");
    }
}
