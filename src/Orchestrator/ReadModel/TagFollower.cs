using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Persistence;

namespace Orchestrator.ReadModel;

/// <summary>How a projector reads its tag: from a stored offset, in pages, each page written before the next is read.</summary>
internal static class TagFollower
{
    /// <summary>
    /// Reads <paramref name="tag"/> after <paramref name="offset"/>, a page at a time (up to 1,000 events, or what came
    /// in 20 ms), hands each page to <paramref name="write"/> and what it returns to <paramref name="written"/>.
    /// Current: completes at the journal's end as of now; live: runs until the kill switch stops it.
    /// </summary>
    public static Task Follow<TPage>(ActorSystem system, string tag, long offset, bool live, SharedKillSwitch kill,
        Func<IReadOnlyList<EventEnvelope>, Task<TPage>> write, Action<TPage> written)
    {
        var journal = OrchestratorPersistence.ReadJournal(system);
        var from = offset <= 0 ? Offset.NoOffset() : Offset.Sequence(offset);
        var events = live ? journal.EventsByTag(tag, from) : journal.CurrentEventsByTag(tag, from);
        return events
            .Via(kill.Flow<EventEnvelope>())
            // Many events per transaction under load, a short delay when the journal is quiet.
            .GroupedWithin(1000, TimeSpan.FromMilliseconds(20))
            .SelectAsync(1, page => write(page.ToList()))
            .RunForeach(written, system.Materializer());
    }
}
