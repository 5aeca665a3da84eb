using System.Data.Common;

namespace Orchestrator.Persistence;

/// <summary>
/// Fits Akka.Persistence.Sql's indexes to the queries this journal gets. The plugin creates its indexes with
/// <c>CREATE INDEX IF NOT EXISTS</c> (on PostgreSQL: skipped when the name exists) on every start, so an index is changed
/// by taking its name, never by dropping it alone. Each index costs bytes in every journal or tag row of every task
/// for as long as it is kept (issue 20: growth per task). The tables exist once the journal has started; until then
/// this is retried on the next start.
/// </summary>
internal static class JournalIndexes
{
    /// <summary>Runs in the read model's schema transaction <paramref name="tx"/> (under its advisory lock on PostgreSQL).</summary>
    public static async Task FitAsync(DbConnection connection, DbTransaction tx, bool isSqlite, CancellationToken ct)
    {
        if (!await TableExistsAsync(connection, tx, isSqlite, "tags", ct) || !await TableExistsAsync(connection, tx, isSqlite, "journal", ct)) return;
        var statements = new List<string>();
        // Tag pages (every live stream polls one) read (tag, ordering_id) ranges: on the tag alone each page was planned
        // as a scan of every task event plus a sort. The plugin's index on the tag alone becomes that index.
        if (!(await DefinitionAsync(connection, tx, isSqlite, "tags_tag_idx", ct) ?? "").Contains("ordering_id", StringComparison.Ordinal))
            statements.AddRange(["DROP INDEX IF EXISTS tags_tag_idx", "CREATE INDEX IF NOT EXISTS tags_tag_idx ON tags (tag, ordering_id)"]);
        statements.Add("DROP INDEX IF EXISTS tags_tag_ordering_idx"); // the same index under the name earlier versions gave it
        // Every journal query names a persistence id (journal_uq) or an ordering (the key); none reads the creation
        // time or the sequence number alone. The plugin's indexes on them hold no row: their rows met no query.
        foreach (var (index, column) in new[] { ("journal_created_idx", "created"), ("journal_sequence_number_idx", "sequence_number") })
            if (!(await DefinitionAsync(connection, tx, isSqlite, index, ct) ?? "").Contains("WHERE", StringComparison.OrdinalIgnoreCase))
                statements.AddRange([$"DROP INDEX IF EXISTS {index}", $"CREATE INDEX IF NOT EXISTS {index} ON journal ({column}) WHERE {column} < 0"]);
        foreach (var statement in statements)
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = statement;
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    internal static async Task<bool> TableExistsAsync(DbConnection connection, DbTransaction? tx, bool isSqlite, string table, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = isSqlite ? $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'" : $"SELECT COUNT(*) FROM pg_tables WHERE tablename = '{table}'";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct)) > 0;
    }

    private static async Task<string?> DefinitionAsync(DbConnection connection, DbTransaction tx, bool isSqlite, string index, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = isSqlite ? $"SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '{index}'" : $"SELECT indexdef FROM pg_indexes WHERE indexname = '{index}'";
        return await cmd.ExecuteScalarAsync(ct) as string;
    }
}
