using Npgsql;
using Orchestrator.Hosting;

namespace Orchestrator.Tests.Support;

/// <summary>
/// A journal of a test's own, on either store a user may configure: a SQLite file in a scratch folder, or a fresh
/// PostgreSQL database on the server <see cref="TestStores.PostgresVariable"/> names, dropped at dispose. Either way
/// the scratch folder (<see cref="Dir"/>) comes with it, for result files and the like.
/// </summary>
public sealed class TestStore : IDisposable
{
    private readonly string? _database;

    internal TestStore(string provider, string connectionString, TempDirectory dir, string? database = null)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Dir = dir;
        _database = database;
    }

    /// <summary><c>Sqlite</c> or <c>PostgreSql</c>, as <c>Orchestrator:Storage:Provider</c> takes it.</summary>
    public string Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The PostgreSQL database's name (<c>o_&lt;guid&gt;</c>); null on SQLite.</summary>
    public string? Database => _database;

    public TempDirectory Dir { get; }

    public StorageOptions Storage => new() { Provider = Provider, ConnectionString = ConnectionString };

    /// <summary>The server's settings for this store, as <c>--key=value</c> arguments.</summary>
    public string[] ServerArgs =>
    [
        $"--Orchestrator:Storage:Provider={Provider}",
        $"--Orchestrator:Storage:ConnectionString={ConnectionString}",
    ];

    public void Dispose()
    {
        if (_database is not null) TestStores.DropDatabase(_database, ConnectionString);
        Dir.Dispose();
    }
}

/// <summary>Where test journals come from: <see cref="Sqlite"/> always, <see cref="Postgres"/> when a server is configured.</summary>
public static class TestStores
{
    /// <summary>A connection string to a PostgreSQL 15+ server whose user may create databases; <c>.ci/run</c> starts one and sets it.</summary>
    public const string PostgresVariable = "ORCHESTRATOR_TEST_POSTGRES";

    /// <summary>Why PostgreSQL tests are skipped, or null when they can run.</summary>
    public static string? PostgresSkipReason => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresVariable))
        ? $"PostgreSQL tests need {PostgresVariable} (a connection string); .ci/run starts a server and sets it"
        : null;

    public static TestStore Sqlite()
    {
        var dir = new TempDirectory();
        return new TestStore("Sqlite", dir.SqliteConnectionString(), dir);
    }

    /// <summary>A new, empty database (<c>o_&lt;guid&gt;</c>) on the configured server, dropped when the store is disposed.</summary>
    public static TestStore Postgres()
    {
        var server = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(server)) throw new InvalidOperationException(PostgresSkipReason);
        var database = $"o_{Guid.NewGuid():N}";
        using (var admin = new NpgsqlConnection(server))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            create.ExecuteNonQuery();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        return new TestStore("PostgreSql", connectionString, new TempDirectory(), database);
    }

    /// <summary>The store a test class runs on: PostgreSQL when it is marked <see cref="OnPostgresAttribute"/>, SQLite otherwise.</summary>
    public static TestStore For(Type testClass) => OnPostgresAttribute.IsOn(testClass) ? Postgres() : Sqlite();

    internal static void DropDatabase(string database, string connectionString)
    {
        var server = Environment.GetEnvironmentVariable(PostgresVariable)!;
        // This process's idle pooled connections to it first; FORCE ends any other (a killed server process's, say).
        using (var pooled = new NpgsqlConnection(connectionString)) NpgsqlConnection.ClearPool(pooled);
        using var admin = new NpgsqlConnection(server);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }
}
