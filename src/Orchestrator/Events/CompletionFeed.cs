using System.Runtime.CompilerServices;
using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Persistence;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;

namespace Orchestrator.Events;

/// <summary>
/// The durable completion stream: every task's terminal event, read from the journal by tag with offsets, so a
/// subscriber that stops resumes where it stopped and misses nothing (at-least-once; drop duplicates by
/// <see cref="TaskCompletion.EventId"/>). Each terminal event is joined with the task's final view from the read model.
/// A host that runs Akka.NET takes it from the services as an Akka.Streams <see cref="Source(long)"/>; other code
/// reads <c>IOrchestrator.CompletionsAsync</c>.
/// </summary>
public sealed class CompletionFeed
{
    private static readonly TimeSpan ViewTimeout = TimeSpan.FromSeconds(30);

    private readonly ActorSystem _system;
    private readonly TaskReadModel _reads;

    internal CompletionFeed(ActorSystem system, TaskReadModel reads)
    {
        _system = system;
        _reads = reads;
    }

    // Where the last look-up of the stream's end stopped: the next one reads only what was written since.
    private readonly SemaphoreSlim _endLookup = new(1, 1);
    private long? _knownEnd;

    /// <summary>
    /// The offset of the stream's last event in the journal now. A subscriber that reads after it gets exactly what is
    /// written from now on: every task that ends after this returns has a higher offset (it may also get one that ended
    /// while this ran, never miss one).
    /// </summary>
    public async Task<long> EndOffsetAsync(CancellationToken ct = default)
    {
        await _endLookup.WaitAsync(ct);
        try
        {
            // The read model caught up with the stream at start; from there on only the events since are read.
            if (_knownEnd is null)
            {
                await _reads.Progress.CaughtUp.WaitAsync(ct);
                _knownEnd = _reads.Progress.Offset;
            }
            var from = _knownEnd.Value;
            var end = await Events(from, live: false)
                .RunAggregate(from, (last, e) => e.Offset is Sequence s ? Math.Max(last, s.Value) : last, _system.Materializer());
            _knownEnd = end;
            return end;
        }
        finally
        {
            _endLookup.Release();
        }
    }

    /// <summary>
    /// Completions after <paramref name="fromOffset"/> (0 = from the beginning; <see cref="EndOffsetAsync"/> = from now),
    /// live: the source never completes.
    /// </summary>
    public Source<TaskCompletion, NotUsed> Source(long fromOffset) => Read(fromOffset, live: true);

    /// <summary>Completions after <paramref name="fromOffset"/> that are in the journal now; completes at the end.</summary>
    public Source<TaskCompletion, NotUsed> CurrentSource(long fromOffset) => Read(fromOffset, live: false);

    /// <summary>The live stream as an async sequence, for code that is not an actor.</summary>
    public async IAsyncEnumerable<TaskCompletion> ReadAsync(long fromOffset, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var c in Source(fromOffset).RunAsAsyncEnumerable(_system.Materializer()).WithCancellation(ct))
            yield return c;
    }

    /// <summary>
    /// The task tag's events after <paramref name="fromOffset"/>. On SQLite a page at a time in the tag index's order
    /// (<see cref="SqliteTagPages"/>): a subscriber far behind then costs what it reads, not the whole backlog per page.
    /// </summary>
    private Source<EventEnvelope, NotUsed> Events(long fromOffset, bool live, string tag = GenerationTask.JournalTag)
    {
        if (_reads.Database.IsSqlite)
            return SqliteTagPages.Pages(_system, _reads.Database, tag, Math.Max(0, fromOffset), live, PageSize).SelectMany(page => page);
        var journal = OrchestratorPersistence.ReadJournal(_system);
        var offset = fromOffset <= 0 ? Offset.NoOffset() : Offset.Sequence(fromOffset);
        return live ? journal.EventsByTag(tag, offset) : journal.CurrentEventsByTag(tag, offset);
    }

    private const int PageSize = 500;

    private Source<TaskCompletion, NotUsed> Read(long fromOffset, bool live)
    {
        return Events(fromOffset, live)
            .Where(e => e.Event is TaskSucceeded or TaskFailed or TaskTimedOut or TaskCancelled or TaskCancelledQueued)
            // Order is kept; several views are read at once, each once the read model holds the event.
            .SelectAsync(8, async e =>
            {
                var te = (ITaskEvent)e.Event;
                var offset = ((Sequence)e.Offset).Value;
                await _reads.Progress.WhenAtLeastAsync(offset).WaitAsync(ViewTimeout);
                var view = await _reads.GetStoredAsync(te.TaskId, CancellationToken.None);
                // A task removed by retention between its event and its row being read is not reported.
                return view is { } v && v.Status.IsTerminal()
                    ? new TaskCompletion($"{te.TaskId}.{e.SequenceNr}", offset, TaskCompletion.TypeFor(v.Status), v)
                    {
                        WebhookEveryState = te is IAnnouncedTaskEvent { WebhookEveryState: true },
                    }
                    : null;
            })
            .Where(c => c is not null)
            .Select(c => c!);
    }

    /// <summary>
    /// The state changes of tasks whose webhook receives every state (<see cref="GenerationRequest.WebhookEveryState"/>),
    /// live: their acceptance, "processing" and end, in journal order, each with the task's view as that change left it.
    /// Read from a tag of their own (<see cref="TaskStateEvents.JournalTag"/>), so other tasks cost this stream nothing.
    /// </summary>
    internal Source<TaskCompletion, NotUsed> StateSource(long fromOffset) => ReadStates(fromOffset, live: true);

    /// <summary><see cref="StateSource"/> as far as the journal holds now; completes at the end.</summary>
    internal Source<TaskCompletion, NotUsed> CurrentStateSource(long fromOffset) => ReadStates(fromOffset, live: false);

    private Source<TaskCompletion, NotUsed> ReadStates(long fromOffset, bool live)
    {
        return Events(fromOffset, live, TaskStateEvents.JournalTag)
            .Where(e => e.Event is ITaskEvent)
            .SelectAsync(8, async e =>
            {
                var te = (ITaskEvent)e.Event;
                var offset = ((Sequence)e.Offset).Value;
                var view = await ViewAsOf(te, offset);
                return view is null ? null
                    : new TaskCompletion($"{te.TaskId}.{e.SequenceNr}", offset, TaskCompletion.TypeFor(view.Status), view) { WebhookEveryState = true };
            })
            .Where(c => c is not null)
            .Select(c => c!);
    }

    /// <summary>
    /// The task's view as <paramref name="e"/> left it: an acceptance carries the whole request; a later change reads the
    /// stored view (which may be further along by now) and takes it back to that change. Null: removed by retention meanwhile.
    /// </summary>
    private async Task<TaskView?> ViewAsOf(ITaskEvent e, long offset)
    {
        if (e is TaskAccepted accepted) return TaskView.From(TaskState.Empty.Apply(accepted));
        await _reads.Progress.WhenAtLeastAsync(offset).WaitAsync(ViewTimeout);
        var stored = await _reads.GetStoredAsync(e.TaskId, CancellationToken.None);
        return (e, stored) switch
        {
            (_, null) => null,
            (TaskProcessing p, { } v) => v with { Status = TaskLifecycle.Processing, Results = [], Error = null, CompletedAt = null, NextPollAt = null },
            (_, { } v) when v.Status.IsTerminal() => v,
            _ => null,
        };
    }
}
