using System.Text.Json;
using Orchestrator.Contracts;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.ReadModel;

/// <summary>
/// A read-model row keeps a task's view for months: stored without what a read fills in again (nulls, zeros and falses,
/// what the row's columns hold, our result URLs) and read back to exactly what the API showed.
/// </summary>
public sealed class StoredViewTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly TaskView[] All =
    [
        new TaskView("01a2311e62747ef6b3266f5f7e7b34bf", "simulator", "text-to-image", "kling-v1", TaskLifecycle.Succeeded, "f898",
            [new TaskResult(0, "http://sim/files/f898/0.png", "image", "/v1/tasks/01a2311e62747ef6b3266f5f7e7b34bf/results/0", "6b7f", 70, "image/png"),
             new TaskResult(1, "http://sim/files/f898/1.png", "image"),
             new TaskResult(2, "http://sim/files/f898/2.png", "image", "https://public.example/v1/tasks/01a2311e62747ef6b3266f5f7e7b34bf/results/2", "6b80", 71, "image/png")],
            null, 1, 3, At, At.AddSeconds(1), At.AddSeconds(6), null, null),
        new TaskView("01a2311e62747ef6b3266f5f7e7b34c0", "kling", "text-to-video", "kling-v2", TaskLifecycle.Failed, null, [],
            new TaskError("1301", "refused", false), 0, 0, At, null, At.AddSeconds(2), null,
            new Dictionary<string, string> { ["tenant"] = "acme" }, "https://hooks.example/x")
        { BatchId = "b1", BatchLine = 0, PossibleDuplicate = true, WaitingFor = "account", RetryOf = "01a2" },
        new TaskView("01a2311e62747ef6b3266f5f7e7b34c1", "simulator", "image-to-video", "kling-v1", TaskLifecycle.Submitting, null, [],
            null, 0, 0, At, null, null, At.AddMinutes(1), null),
        // Times with an offset other than UTC (a clock that gave local time) keep it.
        new TaskView("01a2311e62747ef6b3266f5f7e7b34c2", "Simulator", "text-to-image", "kling-v1", TaskLifecycle.Cancelled, "p2", [],
            null, 1, 0, At.ToOffset(TimeSpan.FromHours(8)), null, At.AddSeconds(3).ToOffset(TimeSpan.FromHours(-5)), null, null),
    ];

    public static TheoryData<TaskView> Views() => new(All);

    [Theory]
    [MemberData(nameof(Views))]
    public void A_stored_view_reads_back_as_the_API_showed_it(TaskView view)
    {
        var stored = StoredTaskView.Write(view);

        var back = StoredTaskView.Read(TaskRowColumns.Of(view), stored);

        Assert.Equal(Wire(view), Wire(back));
    }

    [Fact]
    public void A_stored_view_leaves_out_what_a_read_fills_in_again()
    {
        var view = All[0];

        var stored = StoredTaskView.Write(view);

        Assert.DoesNotContain("null", stored);
        Assert.DoesNotContain("false", stored);
        Assert.True(stored.Length < Wire(view).Length - 150, $"{stored.Length} bytes stored against {Wire(view).Length} shown");
    }

    [Fact]
    public void A_stored_view_leaves_out_what_its_row_columns_hold_and_our_result_URLs_its_id_gives()
    {
        var view = All[0] with { BatchId = "01a231c8a59771f9a855e10f1b1066a2", BatchLine = 17 };

        var stored = StoredTaskView.Write(view);

        foreach (var field in new[] { "id", "status", "provider", "providerTaskId", "createdAt", "completedAt", "batchId", "batchLine" })
            Assert.DoesNotContain($"\"{field}\"", stored);
        Assert.DoesNotContain("/v1/tasks/01a2311e62747ef6b3266f5f7e7b34bf/results/0", stored);
        Assert.Contains("https://public.example/v1/tasks/01a2311e62747ef6b3266f5f7e7b34bf/results/2", stored);
        Assert.Equal(Wire(view), Wire(StoredTaskView.Read(TaskRowColumns.Of(view), stored)));
    }

    /// <summary>A row as the projector wrote it before (captured from a growth bench's database): every field in its view.</summary>
    [Fact]
    public void A_row_written_before_with_every_field_in_its_view_reads_as_it_did()
    {
        const string view = """{"id":"01a231c8a59771f9a855000000000011","provider":"simulator","kind":"text-to-image","model":"kling-v1-5","status":"succeeded","providerTaskId":"c78ca4b444e942858d94ecc134f54bcb","results":[{"url":"http://127.0.0.1:44339/files/c78ca4b444e942858d94ecc134f54bcb/0.png","kind":"image","storedUrl":"/v1/tasks/01a231c8a59771f9a855000000000011/results/0","sha256":"6b7fa434f92a8b80aab02d9bf1a12e49ffcae424e4013a1c4f68b67e3d2bbcd0","bytes":70,"contentType":"image/png"}],"submitAttempts":1,"polls":1,"createdAt":"2026-12-01T13:26:04.0937426+00:00","submittedAt":"2026-12-01T13:26:10.3165796+00:00","completedAt":"2026-12-01T13:27:51.0751958+00:00","batchId":"01a231c8a59771f9a855e10f1b1066a2","batchLine":17}""";
        var row = new TaskRowColumns("01a231c8a59771f9a855000000000011", "succeeded", "simulator", "c78ca4b444e942858d94ecc134f54bcb",
            "01a231c8a59771f9a855e10f1b1066a2", 17, 639317283640937426, 639317284710751958);

        var read = StoredTaskView.Read(row, view);

        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<TaskView>(view, WireJson.Options), WireJson.Options), Wire(read));
        Assert.Equal("/v1/tasks/01a231c8a59771f9a855000000000011/results/0", Assert.Single(read.Results).StoredUrl);
    }

    private static string Wire(TaskView view) => JsonSerializer.Serialize(view, WireJson.Options);
}
