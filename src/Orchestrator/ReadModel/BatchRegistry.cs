using System.Data.Common;
using Akka.Persistence.Query;
using Orchestrator.Batches;
using static Orchestrator.ReadModel.TaskProjectionWriter;

namespace Orchestrator.ReadModel;

/// <summary>
/// <c>orchestrator_batches</c>: one row per batch (state, accepted lines, release mark), written from the "batch" tag
/// like the task rows are from the "task" tag, and read at start to find the batches that still have work, however many
/// have finished before.
/// </summary>
internal sealed class BatchRegistry(ReadModelDatabase db)
{
    public const string Projection = "batches";

    public ProjectionProgress Progress { get; } = new();

    /// <summary>
    /// Batches that may still hand tasks over or write queued tasks' cancellations: sealed or cancelled, and not every
    /// accepted line has a task row yet (rows are written for started tasks and for queued ones cancelled).
    /// </summary>
    public async Task<IReadOnlyList<string>> WithWorkLeftAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT b.id FROM orchestrator_batches b
            WHERE b.state IN ('sealed', 'cancelled')
              AND (SELECT COUNT(*) FROM orchestrator_tasks t WHERE t.batch_id = b.id) < b.total
            """;
        var ids = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>The ids of the most recent acknowledged batches (sealed or cancelled), newest first.</summary>
    public async Task<IReadOnlyList<string>> RecentAsync(int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id FROM orchestrator_batches WHERE state IN ('sealed', 'cancelled') ORDER BY created_at DESC, id DESC LIMIT @limit";
        Add(cmd, "@limit", limit);
        var ids = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    public async Task<bool> ExistsAsync(string batchId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM orchestrator_batches WHERE id = @id";
        Add(cmd, "@id", batchId);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct)) > 0;
    }

    public Task<long> LoadOffsetAsync(CancellationToken ct) => ProjectionOffsets.LoadAsync(db, Projection, ct);

    private sealed record Row(string State, int Total, int Mark, long CreatedAt, long LastOffset);

    /// <summary>Applies a page of batch events (idempotently, by offset) and stores the offset, in one transaction.</summary>
    public async Task<long> WriteAsync(IReadOnlyList<EventEnvelope> page, CancellationToken ct)
    {
        var offset = page.Max(e => ((Sequence)e.Offset).Value);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var rows = new Dictionary<string, Row>();
        foreach (var envelope in page)
        {
            if (envelope.Event is not IBatchEvent e) continue;
            var at = ((Sequence)envelope.Offset).Value;
            if (!rows.TryGetValue(e.BatchId, out var row)) row = await LoadAsync(connection, tx, e.BatchId, ct);
            if (row is not null && at <= row.LastOffset) continue;
            Row? next = (row, e) switch
            {
                (null, BatchOpened o) => new Row("open", 0, 0, o.At.UtcTicks, at),
                (null, _) => null,
                // An idempotency key's batch opened again: its earlier upload never sealed, and this one starts it over.
                (_, BatchOpened o) => new Row("open", 0, 0, o.At.UtcTicks, at),
                (_, BatchSealed s) => row with { State = "sealed", Total = s.Accepted, LastOffset = at },
                (_, BatchAbandoned) => row with { State = "abandoned", LastOffset = at },
                (_, BatchCancelled) => row with { State = "cancelled", LastOffset = at },
                (_, BatchReleaseMarked m) => row with { Mark = Math.Max(row.Mark, m.UpTo), LastOffset = at },
                _ => row with { LastOffset = at },
            };
            if (next is not null) rows[e.BatchId] = next;
        }
        foreach (var (id, row) in rows) await UpsertAsync(connection, tx, id, row, ct);
        await ProjectionOffsets.SaveAsync(connection, tx, Projection, offset, ct);
        await tx.CommitAsync(ct);
        return offset;
    }

    private static async Task<Row?> LoadAsync(DbConnection connection, DbTransaction tx, string id, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT state, total, mark, created_at, last_offset FROM orchestrator_batches WHERE id = @id";
        Add(cmd, "@id", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new Row(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4))
            : null;
    }

    private static async Task UpsertAsync(DbConnection connection, DbTransaction tx, string id, Row row, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO orchestrator_batches (id, state, total, mark, created_at, last_offset) VALUES (@id, @state, @total, @mark, @created, @offset)
            ON CONFLICT (id) DO UPDATE SET state = excluded.state, total = excluded.total, mark = excluded.mark, created_at = excluded.created_at,
                last_offset = excluded.last_offset
            WHERE orchestrator_batches.last_offset < excluded.last_offset
            """;
        Add(cmd, "@id", id);
        Add(cmd, "@state", row.State);
        Add(cmd, "@total", row.Total);
        Add(cmd, "@mark", row.Mark);
        Add(cmd, "@created", row.CreatedAt);
        Add(cmd, "@offset", row.LastOffset);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
