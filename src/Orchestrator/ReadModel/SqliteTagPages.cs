using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;
using static Orchestrator.ReadModel.TaskProjectionWriter;

namespace Orchestrator.ReadModel;

/// <summary>
/// A tag's events on SQLite, a page at a time, read straight from the journal's tables in the order of the tag index
/// (<c>tags (tag, ordering_id)</c>), so each page costs what it returns. Akka.Persistence.Sql's tag query orders by the
/// journal's ordering while it filters on the tag table, which SQLite can only answer by sorting every row between the
/// reader's offset and the journal's end: each page cost as much as the whole backlog, so a projector that fell behind
/// fell further behind (measured with 100,000 tasks in flight: 500 events every 10 s, 63,000 events behind and growing).
/// SQLite commits one writer at a time and hands out ordering ids in commit order, so a reader never sees a later id
/// before an earlier one and needs none of the gap tracking PostgreSQL's concurrent writers call for.
/// </summary>
internal static class SqliteTagPages
{
    private static readonly TimeSpan QuietPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Pages of at most <paramref name="pageSize"/> events after <paramref name="offset"/>. Current: ends at the tag's last
    /// event as of the start. Live: when nothing new is there, asks again after 200 ms, for good.
    /// </summary>
    public static Source<IReadOnlyList<EventEnvelope>, NotUsed> Pages(ActorSystem system, ReadModelDatabase db, string tag, long offset, bool live, int pageSize)
    {
        var serialization = system.Serialization;
        return Source.UnfoldAsync((After: offset, End: (long?)null, Quiet: false), async state =>
        {
            var end = state.End;
            if (!live && end is null) end = await LastAsync(db, tag);
            if (!live && state.After >= end) return Akka.Util.Option<((long, long?, bool), IReadOnlyList<EventEnvelope>)>.None;
            if (live && state.Quiet) await Task.Delay(QuietPoll);
            var page = await ReadAsync(db, serialization, tag, state.After, pageSize);
            var after = page.Count == 0 ? state.After : ((Sequence)page[^1].Offset).Value;
            // A short page reached the end as of its query: a current read is done (rows before its recorded end that
            // retention removed included).
            if (!live && page.Count < pageSize) after = Math.Max(after, end!.Value);
            return Akka.Util.Option<((long, long?, bool), IReadOnlyList<EventEnvelope>)>.Create(((after, end, page.Count < pageSize), page));
        }).Where(page => page.Count > 0);
    }

    // The journal creates its tables at its first use: until then the tag has no events.
    private static bool NoJournalYet(Microsoft.Data.Sqlite.SqliteException e) => e.SqliteErrorCode == 1 && e.Message.Contains("no such table", StringComparison.Ordinal);

    private static async Task<long> LastAsync(ReadModelDatabase db, string tag)
    {
        try
        {
            return await LastOrThrowAsync(db, tag);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (NoJournalYet(e))
        {
            return 0;
        }
    }

    private static async Task<IReadOnlyList<EventEnvelope>> ReadAsync(ReadModelDatabase db, Akka.Serialization.Serialization serialization, string tag, long after, int pageSize)
    {
        try
        {
            return await ReadOrThrowAsync(db, serialization, tag, after, pageSize);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (NoJournalYet(e))
        {
            return [];
        }
    }

    private static async Task<long> LastOrThrowAsync(ReadModelDatabase db, string tag)
    {
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COALESCE(MAX(ordering_id), 0) FROM tags WHERE tag = @tag";
        Add(cmd, "@tag", tag);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static async Task<IReadOnlyList<EventEnvelope>> ReadOrThrowAsync(ReadModelDatabase db, Akka.Serialization.Serialization serialization, string tag, long after, int pageSize)
    {
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT t.ordering_id, j.persistence_id, j.sequence_number, j.message, j.manifest, j.identifier, j.created
            FROM tags t JOIN journal j ON j.ordering = t.ordering_id
            WHERE t.tag = @tag AND t.ordering_id > @after AND j.deleted = 0
            ORDER BY t.ordering_id
            LIMIT @limit
            """;
        Add(cmd, "@tag", tag);
        Add(cmd, "@after", after);
        Add(cmd, "@limit", pageSize);
        var page = new List<EventEnvelope>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var ordering = reader.GetInt64(0);
            var payload = Persistence.JournalRowPayload.Read(reader, message: 3, serialization);
            page.Add(new EventEnvelope(new Sequence(ordering), reader.GetString(1), reader.GetInt64(2), payload, reader.GetInt64(6), [tag]));
        }
        return page;
    }
}
