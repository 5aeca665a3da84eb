using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Persistence;

namespace Orchestrator.ReadModel;

/// <summary>How a projector reads its tag: from a stored offset, in pages, each page written before the next is read.</summary>
internal static class TagFollower
{
    private const int PageSize = 1000;

    /// <summary>
    /// Reads <paramref name="tag"/> after <paramref name="offset"/>, a page at a time (up to 1,000 events, or what came
    /// in 20 ms), hands each page to <paramref name="write"/> and what it returns to <paramref name="written"/>.
    /// Current: completes at the journal's end as of now; live: runs until the kill switch stops it. On SQLite the pages
    /// come from <see cref="SqliteTagPages"/>, whose cost does not grow with how far behind the reader is.
    /// </summary>
    public static Task Follow<TPage>(ActorSystem system, ReadModelDatabase db, string tag, long offset, bool live, SharedKillSwitch kill,
        Func<IReadOnlyList<EventEnvelope>, Task<TPage>> write, Action<TPage> written)
    {
        if (db.IsSqlite)
            return SqliteTagPages.Pages(system, db, tag, offset, live, PageSize)
                .Via(kill.Flow<IReadOnlyList<EventEnvelope>>())
                .SelectAsync(1, write)
                .RunForeach(written, system.Materializer());
        var journal = OrchestratorPersistence.ReadJournal(system);
        var from = offset <= 0 ? Offset.NoOffset() : Offset.Sequence(offset);
        var events = live ? journal.EventsByTag(tag, from) : journal.CurrentEventsByTag(tag, from);
        return events
            .Via(kill.Flow<EventEnvelope>())
            // Many events per transaction under load, a short delay when the journal is quiet.
            .GroupedWithin(PageSize, TimeSpan.FromMilliseconds(20))
            .SelectAsync(1, page => write(page.ToList()))
            .RunForeach(written, system.Materializer());
    }
}
