using LinqToDB.Data;
using Microsoft.Data.Sqlite;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.ReadModel;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// Every SQLite connection of the journal and the read model waits for a lock with SQLite's own busy handler, whose retries
/// are milliseconds apart. Microsoft.Data.Sqlite's fallback sleeps 150 ms between tries: a journal write that met a 20 ms
/// read-model transaction waited 150 ms (the polling bench's submit delay, p95 0.1 s).
/// </summary>
public sealed class SqliteBusyTimeoutTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Journal_and_read_model_connections_wait_for_locks_with_sqlites_busy_timeout_bounded_by_the_command_timeout()
    {
        var storage = new StorageOptions { ConnectionString = _dir.SqliteConnectionString() + ";Default Timeout=12" };
        StorageConfig.Prepare(storage);

        await using (var journal = new DataConnection(StorageConfig.JournalDataOptions(storage)!))
        {
            Assert.Equal(12_000L, await journal.ExecuteAsync<long>("PRAGMA busy_timeout"));
        }
        await using var readModel = await new ReadModelDatabase(storage).OpenAsync(CancellationToken.None);
        await using var cmd = readModel.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(12_000L, Convert.ToInt64(await cmd.ExecuteScalarAsync()));
    }

    [Fact]
    public void PostgreSql_keeps_the_plugins_own_connection_options()
    {
        var storage = new StorageOptions { Provider = "PostgreSql", ConnectionString = "Host=127.0.0.1;Username=u;Database=d" };
        Assert.Null(StorageConfig.JournalDataOptions(storage));
    }
}
