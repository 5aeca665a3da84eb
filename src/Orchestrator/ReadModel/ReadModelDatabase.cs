using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orchestrator.Hosting;

namespace Orchestrator.ReadModel;

/// <summary>
/// The read model's connections, in the journal's own database (SQLite or PostgreSQL). Its SQL is written once for
/// both: <c>INSERT … ON CONFLICT … DO UPDATE</c>, partial indexes, <c>@name</c> parameters and row values work alike.
/// </summary>
internal sealed class ReadModelDatabase
{
    private readonly DbProviderFactory _factory;
    private readonly string _connectionString;

    public ReadModelDatabase(StorageOptions storage)
    {
        IsSqlite = storage.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase);
        _factory = IsSqlite ? SqliteFactory.Instance : NpgsqlFactory.Instance;
        _connectionString = storage.ConnectionString;
        _busyTimeout = IsSqlite ? Persistence.SqliteBusyTimeout.Pragma(storage.ConnectionString) : null;
    }

    private readonly string? _busyTimeout;

    public bool IsSqlite { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = _factory.CreateConnection()!;
        connection.ConnectionString = _connectionString;
        await connection.OpenAsync(ct);
        if (_busyTimeout is not null) await Persistence.SqliteBusyTimeout.ApplyAsync(connection, _busyTimeout, ct);
        return connection;
    }

    /// <summary>
    /// Creates the read model's tables and indexes when they are missing (idempotent; safe on every start). On PostgreSQL
    /// nodes that start together would race on <c>CREATE … IF NOT EXISTS</c> (PostgreSQL checks "if not exists" before it
    /// takes its catalog locks, so all but one fail on a unique catalog index): an advisory lock held for the transaction
    /// lets one node create the schema while the others wait, then find it there.
    /// </summary>
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!IsSqlite) await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({SchemaLockKey})", ct);
        foreach (var statement in Schema) await ExecuteAsync(connection, tx, statement, ct);
        await Persistence.JournalIndexes.FitAsync(connection, tx, IsSqlite, ct);
        await FillTenantsAsync(connection, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The advisory lock's key: any constant the journal's plugin does not use ("orchestrator read model").</summary>
    private const long SchemaLockKey = 0x4f52_4d5f_5343_484d;

    private static async Task<object?> ExecuteAsync(DbConnection connection, DbTransaction tx, string sql, CancellationToken ct, bool scalar = false)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        if (scalar) return await cmd.ExecuteScalarAsync(ct);
        await cmd.ExecuteNonQueryAsync(ct);
        return null;
    }

    /// <summary>
    /// Rows written before tenants were scoped have no <c>tenant</c>; it is the view's <c>metadata.tenant</c>. Filled
    /// once (a marker row in <c>orchestrator_projections</c> says it was done), so a start does not scan every row again.
    /// </summary>
    private async Task FillTenantsAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        const string marker = "tenant-column-filled";
        var done = await ExecuteAsync(connection, tx, $"SELECT COUNT(*) FROM orchestrator_projections WHERE projection = '{marker}'", ct, scalar: true);
        if (Convert.ToInt64(done) > 0) return;
        var tenant = IsSqlite ? "json_extract(view, '$.metadata.tenant')" : "(view::jsonb -> 'metadata' ->> 'tenant')";
        await ExecuteAsync(connection, tx, $"UPDATE orchestrator_tasks SET tenant = {tenant} WHERE tenant IS NULL AND view LIKE '%\"tenant\"%'", ct);
        await ExecuteAsync(connection, tx, $"INSERT INTO orchestrator_projections (projection, last_offset) VALUES ('{marker}', 0) ON CONFLICT (projection) DO NOTHING", ct);
    }

    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS orchestrator_tasks (
          id VARCHAR(64) NOT NULL PRIMARY KEY,
          status VARCHAR(16) NOT NULL,
          provider VARCHAR(128) NOT NULL,
          tenant VARCHAR(128) NULL,
          batch_id VARCHAR(64) NULL,
          batch_line INTEGER NULL,
          created_at BIGINT NOT NULL, -- UTC ticks (100 ns): lists are newest first, in acceptance order
          ended_at BIGINT NULL,       -- UTC ticks
          provider_task_id VARCHAR(256) NULL,
          task_seq BIGINT NOT NULL,
          last_offset BIGINT NOT NULL,
          view TEXT NOT NULL
        )
        """,
        // Start-up finds the unfinished tasks through this, however many ended before.
        "CREATE INDEX IF NOT EXISTS orchestrator_tasks_unfinished_idx ON orchestrator_tasks (status) WHERE ended_at IS NULL",
        // Lists, newest first (keyset pagination).
        "CREATE INDEX IF NOT EXISTS orchestrator_tasks_created_idx ON orchestrator_tasks (created_at, id)",
        // A tenant's lists (every non-admin API key's), newest first.
        "CREATE INDEX IF NOT EXISTS orchestrator_tasks_tenant_idx ON orchestrator_tasks (tenant, created_at, id) WHERE tenant IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS orchestrator_tasks_batch_idx ON orchestrator_tasks (batch_id, batch_line) WHERE batch_id IS NOT NULL",
        // Retention finds the oldest ended tasks through this.
        "CREATE INDEX IF NOT EXISTS orchestrator_tasks_ended_idx ON orchestrator_tasks (ended_at) WHERE ended_at IS NOT NULL",
        // One row per batch, from its events: what a start needs to find the batches with work left, without reading
        // every batch's journal (their chunks hold every request).
        """
        CREATE TABLE IF NOT EXISTS orchestrator_batches (
          id VARCHAR(64) NOT NULL PRIMARY KEY,
          state VARCHAR(16) NOT NULL,
          total INTEGER NOT NULL,
          mark INTEGER NOT NULL,
          created_at BIGINT NOT NULL,
          last_offset BIGINT NOT NULL
        )
        """,
        // Cluster mode's sleeping tasks (Cluster/TaskWakeUpTable): the waker reads the due ones, earliest first.
        """
        CREATE TABLE IF NOT EXISTS orchestrator_task_wakeups (
          task_id VARCHAR(64) NOT NULL PRIMARY KEY,
          wake_at BIGINT NOT NULL, -- UTC ticks
          resume TEXT NOT NULL     -- the TaskResume, as JSON
        )
        """,
        "CREATE INDEX IF NOT EXISTS orchestrator_task_wakeups_due_idx ON orchestrator_task_wakeups (wake_at)",
        """
        CREATE TABLE IF NOT EXISTS orchestrator_projections (
          projection VARCHAR(64) NOT NULL PRIMARY KEY,
          last_offset BIGINT NOT NULL
        )
        """,
    ];
}
