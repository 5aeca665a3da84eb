using System.Data.Common;
using System.Text.Json;
using Orchestrator.Persistence;
using Orchestrator.ReadModel;
using Orchestrator.Tasks.Lifecycle;

namespace Orchestrator.Cluster;

/// <summary>
/// Cluster mode's sleeping tasks, one row each in the shared database (<c>orchestrator_task_wakeups</c>): when to wake
/// the task and the <see cref="TaskResume"/> it wakes with. On a single node the supervisor keeps these in memory; a
/// shard region has no such place, and a row outlives the node the task slept on, so whichever node runs
/// <see cref="TaskWaker"/> wakes it on time.
/// </summary>
internal sealed class TaskWakeUpTable(ReadModelDatabase db)
{
    /// <summary>A sleeping task as its row holds it. <c>WakeAt</c> identifies the row as read (see <see cref="HandedOverAsync"/>).</summary>
    public sealed record Row(string TaskId, DateTimeOffset WakeAt, TaskResume Resume);

    /// <summary>Writes (or replaces: a task sleeps again after each wake) the row of a task falling asleep.</summary>
    public async Task SleepAsync(string taskId, TaskResume resume, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = Command(connection, """
            INSERT INTO orchestrator_task_wakeups (task_id, wake_at, resume) VALUES (@id, @at, @resume)
            ON CONFLICT (task_id) DO UPDATE SET wake_at = excluded.wake_at, resume = excluded.resume
            """, ("@id", taskId), ("@at", resume.WakeAt.UtcTicks), ("@resume", JsonSerializer.Serialize(resume, OrchestratorSerializer.Json)));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The rows due at <paramref name="now"/>, earliest first, at most <paramref name="max"/>.</summary>
    public async Task<List<Row>> DueAsync(DateTimeOffset now, int max, CancellationToken ct)
    {
        var rows = new List<Row>();
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = Command(connection,
            "SELECT task_id, wake_at, resume FROM orchestrator_task_wakeups WHERE wake_at <= @now ORDER BY wake_at, task_id LIMIT @max",
            ("@now", now.UtcTicks), ("@max", max));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new Row(reader.GetString(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero),
                JsonSerializer.Deserialize<TaskResume>(reader.GetString(2), OrchestratorSerializer.Json)!));
        return rows;
    }

    /// <summary>
    /// Deletes the rows whose wakes were sent. Only a row still as it was read: a task woken early (by a callback, a
    /// cancel) may have fallen asleep again meanwhile, and its new row must stay.
    /// </summary>
    public async Task HandedOverAsync(IReadOnlyList<Row> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        foreach (var row in rows)
        {
            await using var cmd = Command(connection, "DELETE FROM orchestrator_task_wakeups WHERE task_id = @id AND wake_at = @at",
                ("@id", row.TaskId), ("@at", row.WakeAt.UtcTicks));
            cmd.Transaction = tx;
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>How many tasks sleep in the cluster now (a gauge, and what a test watches).</summary>
    public async Task<long> CountAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = Command(connection, "SELECT COUNT(*) FROM orchestrator_task_wakeups");
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] args)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }
}
