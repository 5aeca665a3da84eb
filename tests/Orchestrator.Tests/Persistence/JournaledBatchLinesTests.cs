using System.Text;
using Orchestrator.Batches;
using Orchestrator.Persistence;
using Orchestrator.Tasks;
using Orchestrator.Tests.Tasks;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// A batch line's request is journaled compressed in its batch's chunk and again, compressed, inside its submit's event
/// without the task id the submit names already. Chunks written plain by earlier versions read as before.
/// </summary>
public sealed class JournaledBatchLinesTests
{
    private static readonly OrchestratorSerializer Serializer = new(null!);

    private static GenerationRequest Line(int i) => TaskStateTests.Request() with
    {
        Prompt = $"a watercolour lighthouse at dusk, gulls over the harbour, variation {i}", BatchId = "01a233e434267508b0a60aedb6790d04", BatchLine = i,
    };

    [Fact]
    public void A_chunk_is_journaled_compressed_and_reads_back_whole()
    {
        var chunk = new BatchChunkStored("01a233e434267508b0a60aedb6790d04", [.. Enumerable.Range(1, 1000).Select(i => new BatchEntry(i, Line(i)))]);

        var written = Serializer.ToBinary(chunk);
        var read = Assert.IsType<BatchChunkStored>(Serializer.FromBinary(written, Serializer.Manifest(chunk)));

        var plain = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(chunk, OrchestratorSerializer.Json));
        Assert.True(written.Length * 5 < plain.Length, $"{written.Length:N0} bytes compressed against {plain.Length:N0} plain");
        Assert.Equal(chunk.Entries, read.Entries);
        Assert.Equal(chunk.BatchId, read.BatchId);
    }

    [Fact]
    public void A_chunk_journaled_plain_by_an_earlier_version_still_reads()
    {
        const string writtenBefore = """{"batchId":"b1","entries":[{"line":1,"request":{"provider":"simulator","kind":"text_to_image","model":"kling-v1-5","prompt":"a kangaroo"}}]}""";

        var read = Assert.IsType<BatchChunkStored>(Serializer.FromBinary(Encoding.UTF8.GetBytes(writtenBefore), "bcs1"));

        Assert.Equal(("b1", 1, "a kangaroo"), (read.BatchId, read.Entries[0].Line, read.Entries[0].Request.Prompt));
    }

    [Fact]
    public void A_submit_carrying_its_acceptance_names_the_task_once_and_reads_back_whole()
    {
        const string taskId = "01a233e434267508b0a6000000000110";
        var submitted = new TaskSubmitted(taskId, "p1", 1, DateTimeOffset.UnixEpoch.AddSeconds(2))
        {
            Accepted = new TaskAccepted(taskId, Line(272), DateTimeOffset.UnixEpoch, "00-trace-span-01"),
        };

        var written = Serializer.ToBinary(submitted);
        var read = Assert.IsType<TaskSubmitted>(Serializer.FromBinary(written, Serializer.Manifest(submitted)));

        Assert.Single(System.Text.RegularExpressions.Regex.Matches(Encoding.UTF8.GetString(OrchestratorSerializer.JsonOf(written, Serializer.Manifest(submitted))), taskId));
        Assert.True(written.Length < OrchestratorSerializer.JsonOf(written, Serializer.Manifest(submitted)).Length, "journaled compressed");
        Assert.Equal(submitted, read);
        Assert.Equal(submitted.Accepted, read.Accepted);
    }
}
