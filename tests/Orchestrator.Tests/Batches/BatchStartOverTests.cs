using Orchestrator.Batches;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Batches;

/// <summary>An idempotency key's batch opened again before its seal: only the latest upload's lines are the batch.</summary>
public sealed class BatchStartOverTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-12-01T12:00:00Z");

    private static BatchEntry Entry(int line, string tenant) => new(line, new GenerationRequest
    {
        Provider = "simulator", Kind = GenerationKind.TextToImage, Model = "kling-v1-5", Prompt = $"line {line}",
        Metadata = new Dictionary<string, string> { ["tenant"] = tenant },
    });

    [Fact]
    public void A_second_opening_of_an_unsealed_batch_drops_the_first_uploads_lines_and_its_abandonment()
    {
        var state = new BatchState();
        state.Apply(new BatchOpened("b", Atomic: false, At, Upload: "first"));
        state.Apply(new BatchChunkStored("b", [Entry(1, "acme"), Entry(2, "acme")]));
        state.Apply(new BatchAbandoned("b", "the upload did not complete", At));

        state.Apply(new BatchOpened("b", Atomic: true, At.AddSeconds(5), Upload: "second"));
        state.Apply(new BatchChunkStored("b", [Entry(1, "acme")]));
        state.Apply(new BatchSealed("b", 1, [], At.AddSeconds(6), 0, ContentHash: "h"));

        Assert.Equal(1, state.Total);
        Assert.Null(state.AbandonedReason);
        Assert.True(state.Atomic);
        Assert.Equal("second", state.Upload);
        Assert.Equal("h", state.ContentHash);
        Assert.Equal(At.AddSeconds(5), state.CreatedAt);
        Assert.Equal("acme", state.Tenant);
        Assert.Equal("line 1", state.EntryAt(0).Request.Prompt);
        Assert.Throws<ArgumentOutOfRangeException>(() => state.EntryAt(1));
    }
}
