using Microsoft.Data.Sqlite;

namespace Orchestrator.Simulator;

/// <summary>
/// Where a simulator with a database keeps its tasks, so they outlive a restart as a real provider's do. A task's whole
/// timeline is drawn when it is created and its status follows from the clock, so a task costs one insert and never an
/// update. The table, <c>simulator_tasks</c>, may sit in the journal's SQLite file: the connection waits for the journal's
/// write lock in SQLite's own short steps and, as a simulator, skips the fsync (WAL with <c>synchronous=NORMAL</c>
/// survives a killed process, not a power cut). Thread-safe.
/// </summary>
internal sealed class SimulatedTaskStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly Lock _lock = new();
    private bool _disposed;

    public SimulatedTaskStore(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory
            && Path.GetDirectoryName(Path.GetFullPath(file)) is { Length: > 0 } dir)
            Directory.CreateDirectory(dir);
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        Execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            PRAGMA busy_timeout=5000;
            CREATE TABLE IF NOT EXISTS simulator_tasks (
                task_id TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                external_task_id TEXT,
                sequence INTEGER NOT NULL,
                kind TEXT NOT NULL,
                count INTEGER NOT NULL,
                created_at_ticks INTEGER NOT NULL,
                duration_ticks INTEGER NOT NULL,
                queued_ticks INTEGER NOT NULL,
                failure_reason TEXT,
                endpoint TEXT NOT NULL,
                model TEXT NOT NULL,
                aspect_ratio TEXT NOT NULL,
                clip_seconds INTEGER NOT NULL,
                callback_url TEXT,
                files_base TEXT NOT NULL,
                UNIQUE (account, external_task_id));
            """);
        _insert = _connection.CreateCommand();
        _insert.CommandText = """
            INSERT OR IGNORE INTO simulator_tasks VALUES ($id, $account, $external, $sequence, $kind, $count, $created, $duration, $queued,
                $failure, $endpoint, $model, $aspect, $clip, $callback, $files)
            """;
        foreach (var name in (string[])["$id", "$account", "$external", "$sequence", "$kind", "$count", "$created", "$duration", "$queued",
                     "$failure", "$endpoint", "$model", "$aspect", "$clip", "$callback", "$files"])
            _insert.Parameters.Add(new SqliteParameter { ParameterName = name });
    }

    /// <summary>
    /// Forgets tasks created before <paramref name="forgetBefore"/> (Kling keeps results 30 days), then returns the rest
    /// with their accounts, oldest first.
    /// </summary>
    public List<(string Account, SimulatedTask Task)> Load(DateTimeOffset forgetBefore)
    {
        lock (_lock)
        {
            using (var forget = _connection.CreateCommand())
            {
                forget.CommandText = "DELETE FROM simulator_tasks WHERE created_at_ticks < $before";
                forget.Parameters.AddWithValue("$before", forgetBefore.UtcTicks);
                forget.ExecuteNonQuery();
            }
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT * FROM simulator_tasks ORDER BY sequence";
            using var row = select.ExecuteReader();
            var tasks = new List<(string, SimulatedTask)>();
            while (row.Read()) tasks.Add((row.GetString(1), Read(row)));
            return tasks;
        }
    }

    /// <summary>Records a new task; false when the account already has a task with its external id.</summary>
    public bool TryAdd(string account, SimulatedTask t)
    {
        object?[] values =
        [
            t.TaskId, account, t.ExternalTaskId, t.Sequence, t.Kind, t.Count, t.CreatedAt.UtcTicks, t.Duration.Ticks, t.QueuedFor.Ticks,
            t.FailureReason, t.Endpoint, t.Model, t.AspectRatio, t.ClipSeconds, t.CallbackUrl, t.FilesBase,
        ];
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var i = 0; i < values.Length; i++) _insert.Parameters[i].Value = values[i] ?? DBNull.Value;
            return _insert.ExecuteNonQuery() == 1;
        }
    }

    private static SimulatedTask Read(SqliteDataReader r) => new(
        r.GetString(0), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(4), r.GetInt32(5),
        new DateTimeOffset(r.GetInt64(6), TimeSpan.Zero), TimeSpan.FromTicks(r.GetInt64(7)), TimeSpan.FromTicks(r.GetInt64(8)),
        r.IsDBNull(9) ? null : r.GetString(9))
    {
        Sequence = r.GetInt64(3),
        Endpoint = r.GetString(10),
        Model = r.GetString(11),
        AspectRatio = r.GetString(12),
        ClipSeconds = r.GetInt32(13),
        CallbackUrl = r.IsDBNull(14) ? null : r.GetString(14),
        FilesBase = r.GetString(15),
    };

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _insert.Dispose();
            _connection.Dispose();
        }
    }
}
