using System.Data;
using System.Data.Common;
using Akka.Persistence.Query;
using Orchestrator.Tasks;

namespace Orchestrator.ReadModel;

/// <summary>A task whose row a projected page changed: its view now, its own journal's sequence number, and whether it just ended.</summary>
internal sealed record ProjectedTask(TaskView View, long TaskSeq, bool JustEnded);

/// <summary>What one page of journal events did to the read model.</summary>
internal sealed record ProjectedPage(long Offset, IReadOnlyList<ProjectedTask> Tasks);

/// <summary>
/// Writes a page of task events into <c>orchestrator_tasks</c> and moves the stored offset, in one transaction. Each row
/// remembers the journal offset of the last event applied to it, so an event seen again (a replay after a crash, a
/// second projector) changes nothing.
/// </summary>
internal sealed class TaskProjectionWriter(ReadModelDatabase db)
{
    public const string Projection = "tasks";

    public Task<long> LoadOffsetAsync(CancellationToken ct) => ProjectionOffsets.LoadAsync(db, Projection, ct);

    /// <summary>
    /// Applies <paramref name="page"/> in one transaction. In cluster mode every node's projector writes the same rows;
    /// each writes them in the order of their ids, so two pages that share rows queue behind each other rather than lock
    /// them crosswise. A deadlock PostgreSQL still reports (or a serialization failure) is the page's write tried again,
    /// not the stream's failure: that would stop this node's read model for seconds and replay it from the stored offset.
    /// </summary>
    public async Task<ProjectedPage> WriteAsync(IReadOnlyList<EventEnvelope> page, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await WriteOnceAsync(page, ct); }
            catch (DbException ex) when (ex.SqlState is "40P01" or "40001" && attempt < 5) { await Task.Delay(20 * attempt, ct); }
        }
    }

    private async Task<ProjectedPage> WriteOnceAsync(IReadOnlyList<EventEnvelope> page, CancellationToken ct)
    {
        var offset = page.Max(e => ((Sequence)e.Offset).Value);
        var events = page.Where(e => e.Event is ITaskEvent).ToList();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var rows = await LoadAsync(connection, tx, events.Select(e => ((ITaskEvent)e.Event).TaskId).Distinct().ToList(), ct);
        var changed = new Dictionary<string, (TaskRow Row, bool WasEnded)>();
        foreach (var envelope in events)
        {
            var e = (ITaskEvent)envelope.Event;
            var at = ((Sequence)envelope.Offset).Value;
            rows.TryGetValue(e.TaskId, out var row);
            if (row is not null && at <= row.LastOffset) continue;
            var view = TaskViewProjection.Apply(row?.View, e);
            if (view is null) continue;
            var ownEvent = envelope.PersistenceId == TaskIds.PersistenceId(e.TaskId);
            var next = new TaskRow(view, ownEvent ? envelope.SequenceNr : row?.TaskSeq ?? 0, at);
            rows[e.TaskId] = next;
            changed[e.TaskId] = (next, changed.TryGetValue(e.TaskId, out var first) ? first.WasEnded : row?.View.Status.IsTerminal() == true);
        }
        if (changed.Count > 0) await UpsertAsync(connection, tx, changed.Values.Select(c => c.Row).OrderBy(r => r.View.Id, StringComparer.Ordinal), ct);
        await ProjectionOffsets.SaveAsync(connection, tx, Projection, offset, ct);
        await tx.CommitAsync(ct);
        return new ProjectedPage(offset, changed.Values
            .Select(c => new ProjectedTask(c.Row.View, c.Row.TaskSeq, !c.WasEnded && c.Row.View.Status.IsTerminal())).ToList());
    }

    private sealed record TaskRow(TaskView View, long TaskSeq, long LastOffset);

    private static async Task<Dictionary<string, TaskRow>> LoadAsync(DbConnection connection, DbTransaction tx, List<string> ids, CancellationToken ct)
    {
        var rows = new Dictionary<string, TaskRow>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT {StoredTaskView.Columns}, task_seq, last_offset FROM orchestrator_tasks WHERE id IN ({string.Join(",", chunk.Select((_, i) => "@i" + i))})";
            for (var i = 0; i < chunk.Length; i++) Add(cmd, "@i" + i, chunk[i]);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows[reader.GetString(0)] = new TaskRow(StoredTaskView.Read(reader), reader.GetInt64(9), reader.GetInt64(10));
        }
        return rows;
    }

    private static async Task UpsertAsync(DbConnection connection, DbTransaction tx, IEnumerable<TaskRow> rows, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO orchestrator_tasks (id, status, provider, tenant, batch_id, batch_line, created_at, ended_at, provider_task_id, task_seq, last_offset, view)
            VALUES (@id, @status, @provider, @tenant, @batch_id, @batch_line, @created_at, @ended_at, @provider_task_id, @task_seq, @last_offset, @view)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at, provider_task_id = excluded.provider_task_id,
              task_seq = excluded.task_seq, last_offset = excluded.last_offset, view = excluded.view
            WHERE orchestrator_tasks.last_offset < excluded.last_offset
            """;
        var p = new[]
        {
            Add(cmd, "@id", DbType.String), Add(cmd, "@status", DbType.String), Add(cmd, "@provider", DbType.String),
            Add(cmd, "@batch_id", DbType.String), Add(cmd, "@batch_line", DbType.Int32), Add(cmd, "@created_at", DbType.Int64),
            Add(cmd, "@ended_at", DbType.Int64), Add(cmd, "@provider_task_id", DbType.String), Add(cmd, "@task_seq", DbType.Int64),
            Add(cmd, "@last_offset", DbType.Int64), Add(cmd, "@view", DbType.String), Add(cmd, "@tenant", DbType.String),
        };
        foreach (var row in rows)
        {
            var v = row.View;
            p[0].Value = v.Id;
            p[1].Value = v.Status.WireName();
            p[2].Value = v.Provider;
            p[3].Value = (object?)v.BatchId ?? DBNull.Value;
            p[4].Value = (object?)v.BatchLine ?? DBNull.Value;
            p[5].Value = v.CreatedAt.UtcTicks;
            p[6].Value = v.Status.IsTerminal() ? (v.CompletedAt ?? v.CreatedAt).UtcTicks : DBNull.Value;
            p[7].Value = (object?)v.ProviderTaskId ?? DBNull.Value;
            p[8].Value = row.TaskSeq;
            p[9].Value = row.LastOffset;
            p[10].Value = StoredTaskView.Write(v);
            // A task's tenant is set at acceptance and never changes, so only the first write of a row sets it.
            p[11].Value = (object?)v.Metadata?.GetValueOrDefault("tenant") ?? DBNull.Value;
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    internal static DbParameter Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
        return p;
    }

    private static DbParameter Add(DbCommand cmd, string name, DbType type)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        cmd.Parameters.Add(p);
        return p;
    }
}
