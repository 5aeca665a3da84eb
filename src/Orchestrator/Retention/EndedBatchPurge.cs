using Orchestrator.Batches;
using Orchestrator.ReadModel;
using static Orchestrator.ReadModel.TaskProjectionWriter;

namespace Orchestrator.Retention;

/// <summary>
/// Removes whole batches whose every task ended before a cut-off: first the batch is marked <c>expiring</c> (so a
/// restart never takes its missing rows for lines still to hand over), then its tasks go in steps like standalone ones
/// (<see cref="EndedTaskPurge"/>), then the batch's own journal and row. A step cut short is found again by the next.
/// </summary>
internal sealed class EndedBatchPurge(ReadModelDatabase db)
{
    public const string Expiring = "expiring";

    /// <summary>
    /// A batch being removed, else the oldest finished one past the cut-off (now marked): every accepted line has a task
    /// row, none unfinished, and the last ended before <paramref name="cutoff"/> (an abandoned upload: opened before it).
    /// </summary>
    public async Task<string?> NextAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using (var expiring = connection.CreateCommand())
        {
            expiring.CommandText = "SELECT id FROM orchestrator_batches WHERE state = @state LIMIT 1";
            Add(expiring, "@state", Expiring);
            if (await expiring.ExecuteScalarAsync(ct) is string id) return id;
        }
        await using var due = connection.CreateCommand();
        due.CommandText = """
            SELECT b.id FROM orchestrator_batches b
            WHERE (b.state = 'abandoned' AND b.created_at < @cutoff)
               OR (b.state IN ('sealed', 'cancelled')
                   AND (SELECT COUNT(*) FROM orchestrator_tasks t WHERE t.batch_id = b.id) >= b.total
                   AND NOT EXISTS (SELECT 1 FROM orchestrator_tasks t WHERE t.batch_id = b.id AND t.ended_at IS NULL)
                   AND COALESCE((SELECT MAX(t.ended_at) FROM orchestrator_tasks t WHERE t.batch_id = b.id), b.created_at) < @cutoff)
            ORDER BY b.created_at LIMIT 1
            """;
        Add(due, "@cutoff", cutoff.UtcTicks);
        if (await due.ExecuteScalarAsync(ct) is not string batchId) return null;
        await using var mark = connection.CreateCommand();
        mark.CommandText = "UPDATE orchestrator_batches SET state = @state WHERE id = @id";
        Add(mark, "@state", Expiring);
        Add(mark, "@id", batchId);
        await mark.ExecuteNonQueryAsync(ct);
        return batchId;
    }

    /// <summary>Up to <paramref name="limit"/> of the batch's tasks (all ended), to remove with <see cref="EndedTaskPurge.DeleteAsync"/>.</summary>
    public async Task<IReadOnlyList<string>> TasksAsync(string batchId, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id FROM orchestrator_tasks WHERE batch_id = @b LIMIT @limit";
        Add(cmd, "@b", batchId);
        Add(cmd, "@limit", limit);
        var ids = new List<string>(limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>The batch's journal, tag and snapshot rows and its registry row, once its tasks are gone.</summary>
    public async Task DeleteBatchAsync(string batchId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await EndedTaskPurge.DeleteJournalsAsync(connection, tx, [BatchIds.PersistenceId(batchId)], ct);
        await EndedTaskPurge.DeleteInAsync(connection, tx, "orchestrator_batches", "id", [batchId], ct);
        await tx.CommitAsync(ct);
    }
}
