using System.Text;
using Orchestrator.Persistence;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// A succeeded task's event is its largest: our stored copies' URLs, which its task id and each result's index give again,
/// stay out of the journal, and come back on every read, from events written before that change too.
/// </summary>
public sealed class JournaledResultsTests
{
    private const string TaskId = "01a231c8a59771f9a855000000000011";

    /// <summary>A <c>tok1</c> payload as the serializer wrote it before (captured from a growth bench's journal).</summary>
    private const string WrittenBefore =
        """{"taskId":"01a231c8a59771f9a855000000000011","results":[{"index":0,"url":"http://127.0.0.1:44339/files/c78ca4b444e942858d94ecc134f54bcb/0.png","kind":"image","storedUrl":"/v1/tasks/01a231c8a59771f9a855000000000011/results/0","sha256":"6b7fa434f92a8b80aab02d9bf1a12e49ffcae424e4013a1c4f68b67e3d2bbcd0","bytes":70,"contentType":"image/png"}],"polls":1,"at":"2026-12-01T13:27:51.0751958+00:00"}""";

    private static readonly OrchestratorSerializer Serializer = new(null!);

    [Fact]
    public void A_succeeded_event_journaled_with_its_stored_URLs_reads_back_with_them()
    {
        var read = Assert.IsType<TaskSucceeded>(Serializer.FromBinary(Encoding.UTF8.GetBytes(WrittenBefore), "tok1"));

        var result = Assert.Single(read.Results);
        Assert.Equal(("http://127.0.0.1:44339/files/c78ca4b444e942858d94ecc134f54bcb/0.png", "image"), (result.Url, result.Kind));
        Assert.Equal($"/v1/tasks/{TaskId}/results/0", result.StoredUrl);
        Assert.Equal(("6b7fa434f92a8b80aab02d9bf1a12e49ffcae424e4013a1c4f68b67e3d2bbcd0", 70L, "image/png"), (result.Sha256, result.Bytes, result.ContentType));
        Assert.Equal((1, new DateTimeOffset(2026, 12, 1, 13, 27, 51, TimeSpan.Zero).AddTicks(751958)), (read.Polls, read.At));
    }

    [Fact]
    public void A_succeeded_event_is_journaled_without_the_stored_URLs_its_task_id_gives_and_reads_back_with_them()
    {
        TaskResult[] results =
        [
            new(0, "https://cdn.test/0.png", "image", $"/v1/tasks/{TaskId}/results/0", "aa", 70, "image/png"),
            new(1, "https://cdn.test/1.png", "image", $"/v1/tasks/{TaskId}/results/1", "bb", 71, "image/png"),
        ];
        var succeeded = new TaskSucceeded(TaskId, results, 2, DateTimeOffset.UnixEpoch);

        var written = Serializer.ToBinary(succeeded);
        var read = Assert.IsType<TaskSucceeded>(Serializer.FromBinary(written, Serializer.Manifest(succeeded)));

        Assert.DoesNotContain("storedUrl", Encoding.UTF8.GetString(OrchestratorSerializer.JsonOf(written, Serializer.Manifest(succeeded))));
        Assert.Equal(results, read.Results);
    }

    [Fact]
    public void Results_not_stored_by_us_and_stored_URLs_under_a_public_base_URL_are_journaled_as_they_are()
    {
        TaskResult[] results =
        [
            new(0, "https://cdn.test/0.png", "image"),
            new(1, "https://cdn.test/1.png", "image", $"https://orchestrator.example/v1/tasks/{TaskId}/results/1", "bb", 71, "image/png"),
        ];

        var succeeded = new TaskSucceeded(TaskId, results, 2, DateTimeOffset.UnixEpoch);
        var read = Assert.IsType<TaskSucceeded>(Serializer.FromBinary(Serializer.ToBinary(succeeded), Serializer.Manifest(succeeded)));

        Assert.Equal(results, read.Results);
    }
}
