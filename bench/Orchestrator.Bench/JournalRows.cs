using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Orchestrator.Bench;

/// <summary>
/// What the journal holds, counted with SQL in the database itself (Akka.Persistence.Sql's <c>journal</c> and <c>tags</c>
/// tables), not through the orchestrator: task events, batch events (<c>batch-…</c> persistence ids) and tag rows.
/// Counting rows per finished task measures the writes a task costs in this build instead of assuming them.
/// </summary>
public sealed record JournalRows(long TaskEvents, long BatchEvents, long Tags)
{
    public long Events => TaskEvents + BatchEvents;

    public static JournalRows operator -(JournalRows a, JournalRows b) =>
        new(a.TaskEvents - b.TaskEvents, a.BatchEvents - b.BatchEvents, a.Tags - b.Tags);

    public static async Task<JournalRows> CountAsync(StorageChoice storage, string dataDirectory)
    {
        await using DbConnection connection = storage.IsSqlite
            ? new SqliteConnection(storage.ConnectionStringIn(dataDirectory))
            : new NpgsqlConnection(storage.ConnectionStringIn(dataDirectory));
        await connection.OpenAsync();
        var (all, batch) = await TwoAsync(connection,
            "SELECT count(*), coalesce(sum(CASE WHEN persistence_id LIKE 'batch-%' THEN 1 ELSE 0 END), 0) FROM journal");
        var (tags, _) = await TwoAsync(connection, "SELECT count(*), 0 FROM tags");
        return new JournalRows(all - batch, batch, tags);
    }

    private static async Task<(long, long)> TwoAsync(DbConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (Convert.ToInt64(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1)));
    }
}
