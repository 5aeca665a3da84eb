using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Events;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Events;

/// <summary>
/// Readers of the shared completion stream each get every completion after their own position, in order, once: the
/// ones close behind from memory, one that fell further behind from queries of its own until it joins again.
/// </summary>
public sealed class CompletionBroadcastTests : Akka.TestKit.Xunit2.TestKit
{
    // 60 completions at even offsets, as a journal with other events between them would give them.
    private static readonly IReadOnlyList<TaskCompletion> Journal = Enumerable.Range(1, 60).Select(i => Completion(i * 2)).ToList();

    private int _liveQueries;

    private CompletionBroadcast Broadcast(int capacity) => new(
        after => { Interlocked.Increment(ref _liveQueries); return Source.From(Journal.Where(c => c.Offset > after)).Concat(Source.Never<TaskCompletion>()); },
        after => Source.From(Journal.Where(c => c.Offset > after)),
        Sys.Materializer(), capacity);

    private Task<IReadOnlyList<long>> ReadAsync(CompletionBroadcast broadcast, long from, int count) =>
        broadcast.Source(from).Take(count).Select(c => c.Offset).RunWith(Sink.Seq<long>(), Sys.Materializer()).ContinueWith(t => (IReadOnlyList<long>)t.Result);

    [Fact]
    public async Task Readers_at_different_positions_get_what_follows_their_own_from_one_live_query()
    {
        var broadcast = Broadcast(capacity: 100);
        var first = await ReadAsync(broadcast, 0, 60);
        var middle = await ReadAsync(broadcast, 70, 25);
        var last = await ReadAsync(broadcast, 118, 1);

        Assert.Equal(Journal.Select(c => c.Offset), first);
        Assert.Equal(Enumerable.Range(36, 25).Select(i => (long)i * 2), middle);
        Assert.Equal([120L], last);
        Assert.Equal(1, _liveQueries);
        Assert.Equal(0, broadcast.CaughtUp);
    }

    [Fact]
    public async Task A_reader_behind_what_is_kept_catches_up_from_the_journal_and_misses_nothing()
    {
        var broadcast = Broadcast(capacity: 4);
        await ReadAsync(broadcast, 0, 60); // the shared stream has read everything; only the last few are kept

        var behind = await ReadAsync(broadcast, 10, 55);

        Assert.Equal(Enumerable.Range(6, 55).Select(i => (long)i * 2), behind);
        Assert.True(broadcast.CaughtUp > 0, "the reader read the journal itself");
        Assert.Equal(1, _liveQueries);
    }

    [Fact]
    public async Task A_reader_ahead_of_the_shared_stream_waits_for_what_follows_its_position()
    {
        var broadcast = Broadcast(capacity: 4);
        // The first reader starts the shared stream at 0; the second waits past offset 100 while it reads up to there.
        var (first, ahead) = (ReadAsync(broadcast, 0, 60), ReadAsync(broadcast, 100, 10));
        Assert.Equal(Enumerable.Range(51, 10).Select(i => (long)i * 2), await ahead);
        Assert.Equal(60, (await first).Count);
    }

    private static TaskCompletion Completion(long offset) =>
        new($"task-{offset}.1", offset, "task.succeeded", new TaskView($"task-{offset}", "simulator", "text-to-image", "m", TaskLifecycle.Succeeded, null, [], null,
            1, 1, DateTimeOffset.UnixEpoch, null, null, null, null));
}
