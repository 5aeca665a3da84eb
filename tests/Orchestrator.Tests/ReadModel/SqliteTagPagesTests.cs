using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Data.Sqlite;
using Orchestrator.Hosting;
using Orchestrator.ReadModel;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ReadModel;

/// <summary>
/// The projectors' reader of a tag on SQLite (<see cref="SqliteTagPages"/>): every event of the tag once, in journal
/// order, in pages of bounded size, other tags and deleted rows left out; a current read ends, a live one goes on.
/// </summary>
public sealed class SqliteTagPagesTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly ActorSystem _system = ActorSystem.Create("tag-pages");
    private ReadModelDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = new ReadModelDatabase(new StorageOptions { ConnectionString = _dir.SqliteConnectionString() });
        await Sql("""
            CREATE TABLE journal (ordering INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, deleted Bit NOT NULL,
              persistence_id NVarChar(255) NOT NULL, sequence_number INTEGER NOT NULL, message VarBinary NOT NULL, manifest NVarChar(500) NULL,
              identifier INTEGER NULL, writer_uuid NVarChar(128) NULL);
            CREATE TABLE tags (ordering_id INTEGER NOT NULL, tag NVarChar(64) NOT NULL, sequence_nr INTEGER NOT NULL, persistence_id NVarChar(255) NOT NULL,
              CONSTRAINT PK_tags PRIMARY KEY (ordering_id, tag));
            CREATE INDEX tags_tag_idx ON tags (tag, ordering_id);
            """);
    }

    public async Task DisposeAsync()
    {
        await _system.Terminate();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_current_read_returns_every_event_of_its_tag_once_in_order_in_bounded_pages_and_ends()
    {
        await Write(2_500, "task");
        await Write(40, "batch");
        await Write(1, "task", deleted: true);
        await Write(10, "task");

        var pages = await SqliteTagPages.Pages(_system, _db, "task", 0, live: false, pageSize: 1000).RunWith(Sink.Seq<IReadOnlyList<EventEnvelope>>(), _system.Materializer());

        Assert.All(pages, p => Assert.InRange(p.Count, 1, 1000));
        var events = pages.SelectMany(p => p).ToList();
        Assert.Equal(2_510, events.Count);
        Assert.Equal(events.Select(e => ((Sequence)e.Offset).Value).Order(), events.Select(e => ((Sequence)e.Offset).Value));
        Assert.All(events, e => Assert.StartsWith("task event", (string)e.Event));
        Assert.Equal("task event 2509", events[^1].Event);

        // From an offset: only what came after it.
        var after = ((Sequence)events[2_499].Offset).Value;
        var rest = await SqliteTagPages.Pages(_system, _db, "task", after, live: false, pageSize: 1000).RunWith(Sink.Seq<IReadOnlyList<EventEnvelope>>(), _system.Materializer());
        Assert.Equal(10, rest.Sum(p => p.Count));
    }

    [Fact]
    public async Task A_live_read_picks_up_events_written_after_it_started()
    {
        await Write(3, "task");
        var seen = new List<string>();
        var got13 = new TaskCompletionSource();
        var kill = KillSwitches.Shared("test");
        _ = SqliteTagPages.Pages(_system, _db, "task", 0, live: true, pageSize: 1000)
            .Via(kill.Flow<IReadOnlyList<EventEnvelope>>())
            .RunForeach(page =>
            {
                lock (seen) seen.AddRange(page.Select(e => (string)e.Event));
                if (seen.Count >= 13) got13.TrySetResult();
            }, _system.Materializer());
        await Write(10, "task");
        await got13.Task.WaitAsync(TimeSpan.FromSeconds(30));
        kill.Shutdown();
        Assert.Equal(Enumerable.Range(0, 13).Select(i => $"task event {i}"), seen);
    }

    [Fact]
    public async Task Before_the_journal_has_created_its_tables_a_read_finds_nothing()
    {
        using var empty = new TempDirectory();
        var db = new ReadModelDatabase(new StorageOptions { ConnectionString = empty.SqliteConnectionString() });
        var pages = await SqliteTagPages.Pages(_system, db, "task", 0, live: false, pageSize: 1000).RunWith(Sink.Seq<IReadOnlyList<EventEnvelope>>(), _system.Materializer());
        Assert.Empty(pages);
    }

    private int _written;
    private readonly Dictionary<string, int> _perTag = new();

    private async Task Write(int count, string tag, bool deleted = false)
    {
        await using var connection = new SqliteConnection(_dir.SqliteConnectionString());
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        for (var i = 0; i < count; i++)
        {
            var n = _perTag.GetValueOrDefault(tag);
            if (!deleted) _perTag[tag] = n + 1;
            var payload = $"{tag} event {(deleted ? -1 : n)}";
            var serializer = _system.Serialization.FindSerializerFor(payload);
            var id = $"p-{++_written}";
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = (SqliteTransaction)tx;
            cmd.CommandText = """
                INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier) VALUES (0, @d, @p, 1, @m, @mf, @s);
                INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id) VALUES (last_insert_rowid(), @t, 1, @p);
                """;
            cmd.Parameters.AddWithValue("@d", deleted);
            cmd.Parameters.AddWithValue("@p", id);
            cmd.Parameters.AddWithValue("@m", serializer.ToBinary(payload));
            cmd.Parameters.AddWithValue("@mf", Akka.Serialization.Serialization.ManifestFor(serializer, payload));
            cmd.Parameters.AddWithValue("@s", serializer.Identifier);
            cmd.Parameters.AddWithValue("@t", tag);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    private async Task Sql(string sql)
    {
        await using var connection = await _db.OpenAsync(CancellationToken.None);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
