using System.Data.Common;
using LinqToDB.Interceptors;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Persistence;

/// <summary>
/// Sets SQLite's own busy timeout on every connection the journal and the read model open. Without it Microsoft.Data.Sqlite
/// retries a locked database itself, sleeping 150 ms between tries: a write that met another's 20 ms transaction (a
/// read-model page, a batch chunk) waited 150 ms, which put a 0.1 s p95 between a provider accepting a submit and its
/// journal record. SQLite's handler retries within a few milliseconds (34 ms for that 20 ms lock). The bound is the
/// connection's command timeout (<c>Default Timeout</c>, 30 s unless set), as before.
/// </summary>
internal sealed class SqliteBusyTimeout : IConnectionInterceptor
{
    private readonly string _pragma;

    public SqliteBusyTimeout(string connectionString) => _pragma = Pragma(connectionString);

    public static string Pragma(string connectionString) =>
        $"PRAGMA busy_timeout = {new SqliteConnectionStringBuilder(connectionString).DefaultTimeout * 1000};";

    /// <summary>Runs the pragma on a connection just opened (the read model's own connections).</summary>
    public static async Task ApplyAsync(DbConnection connection, string pragma, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = pragma;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public void ConnectionOpening(ConnectionEventData eventData, DbConnection connection) { }

    public Task ConnectionOpeningAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public void ConnectionOpened(ConnectionEventData eventData, DbConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = _pragma;
        cmd.ExecuteNonQuery();
    }

    public Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken) =>
        ApplyAsync(connection, _pragma, cancellationToken);
}
