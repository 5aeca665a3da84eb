using System.Data.Common;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using static Orchestrator.ReadModel.TaskProjectionWriter;

namespace Orchestrator.Retention;

/// <summary>
/// Removes ended tasks older than a cut-off, a few hundred at a time: their journal events and tag rows (tables of
/// Akka.Persistence.Sql, by persistence id), snapshots, then their read-model rows — last, so a step cut short is
/// found again by the next one. Result files go first, through the result store.
/// </summary>
internal sealed class EndedTaskPurge(ReadModelDatabase db)
{
    /// <summary>
    /// The oldest ended tasks whose end is before <paramref name="cutoff"/>, up to <paramref name="limit"/>. Tasks of a
    /// batch are not among them: a batch that restarts asks the read model which of its lines started, and would hand a
    /// removed one over again; batches are removed whole, with their journal (<see cref="EndedBatchPurge"/>).
    /// </summary>
    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset cutoff, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id FROM orchestrator_tasks WHERE ended_at IS NOT NULL AND ended_at < @cutoff AND batch_id IS NULL ORDER BY ended_at LIMIT @limit";
        Add(cmd, "@cutoff", cutoff.UtcTicks);
        Add(cmd, "@limit", limit);
        var ids = new List<string>(limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Deletes the tasks' journal, tag, snapshot and read-model rows in one transaction.</summary>
    public async Task DeleteAsync(IReadOnlyList<string> taskIds, CancellationToken ct)
    {
        if (taskIds.Count == 0) return;
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await DeleteJournalsAsync(connection, tx, taskIds.Select(TaskIds.PersistenceId).ToList(), ct);
        await DeleteInAsync(connection, tx, "orchestrator_tasks", "id", taskIds, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Everything Akka.Persistence.Sql keeps of these persistence ids: tag rows, events, snapshots.</summary>
    internal static async Task DeleteJournalsAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<string> persistenceIds, CancellationToken ct)
    {
        await DeleteInAsync(connection, tx, "tags", "persistence_id", persistenceIds, ct);
        await DeleteInAsync(connection, tx, "journal", "persistence_id", persistenceIds, ct);
        await DeleteInAsync(connection, tx, "snapshot", "persistence_id", persistenceIds, ct);
    }

    internal static async Task DeleteInAsync(DbConnection connection, DbTransaction tx, string table, string column, IReadOnlyList<string> keys, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"DELETE FROM {table} WHERE {column} IN ({string.Join(",", keys.Select((_, i) => "@k" + i))})";
        for (var i = 0; i < keys.Count; i++) Add(cmd, "@k" + i, keys[i]);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
