using LinqToDB;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orchestrator.Hosting;

namespace Orchestrator.Persistence;

/// <summary>The configured store as Akka.Persistence.Sql needs it (SQLite by default, PostgreSQL at scale), and as a log line names it.</summary>
internal static class StorageConfig
{
    /// <summary>The linq2db provider name and how many journal writes run at once.</summary>
    public static (string ProviderName, int Parallelism) Driver(StorageOptions storage) => storage.Provider.ToLowerInvariant() switch
    {
        "sqlite" => ("SQLite.MS", 1), // one writer: SQLite serialises writes anyway
        "postgresql" or "postgres" => ("PostgreSQL.15", 4),
        _ => throw new InvalidOperationException($"Orchestrator:Storage:Provider '{storage.Provider}' is not supported (Sqlite or PostgreSql)."),
    };

    /// <summary>
    /// Read-journal settings for the store. A tag query (the live completion stream) reads only up to the highest journal
    /// ordering without a gap, which a sequence actor re-reads every <c>query-delay</c>: at the default 1 s a completion
    /// reached a live subscriber 0.6–0.85 s after its task ended (median; up to 1.25 s), at 100 ms in 0.2 s. On PostgreSQL,
    /// whose writers commit out of order, short gaps are usual; one is given up as a rolled-back write only after
    /// <c>query-delay × max-tries</c>, kept at the default 10 s so that a slow commit is waited for, not skipped.
    /// </summary>
    public static string QueryTuning(StorageOptions storage) => IsPostgres(storage)
        ? $$"""
            {{OrchestratorPersistence.QueryPluginId}}.journal-sequence-retrieval {
              query-delay = 100ms
              max-tries = 100
            }
            """
        : "";

    /// <summary>
    /// The isolation level of the journal's reads (recoveries, highest sequence numbers, tag queries). Microsoft.Data.Sqlite
    /// begins every other level with <c>BEGIN IMMEDIATE</c>, which takes the database's one write lock: each read then
    /// queued behind the journal's writes and held them up in turn (about a tenth of a throughput run's thread time was
    /// spent beginning such reads, and the writes waiting on them tripped the journal's circuit breaker). Read-uncommitted
    /// is a plain deferred <c>BEGIN</c>; in WAL mode, without a shared cache, a reader still sees only committed data,
    /// as of its first read. PostgreSQL keeps the plugin's default.
    /// </summary>
    public static System.Data.IsolationLevel? ReadIsolation(StorageOptions storage) =>
        IsPostgres(storage) ? null : System.Data.IsolationLevel.ReadUncommitted;

    /// <summary>
    /// The journal's linq2db connection options: on SQLite with <see cref="SqliteBusyTimeout"/>, so a write that meets a
    /// lock waits milliseconds rather than Microsoft.Data.Sqlite's 150 ms retry step; null (the plugin's own) on PostgreSQL.
    /// </summary>
    public static DataOptions? JournalDataOptions(StorageOptions storage) => IsPostgres(storage)
        ? null
        : new DataOptions()
            .UseConnectionString(Driver(storage).ProviderName, storage.ConnectionString)
            .UseInterceptor(new SqliteBusyTimeout(storage.ConnectionString));

    private static bool IsPostgres(StorageOptions storage) => Driver(storage).ProviderName.StartsWith("PostgreSQL", StringComparison.Ordinal);

    /// <summary>
    /// Makes the store ready before the journal opens it: creates the SQLite file's folder and switches the file to WAL
    /// once (it stays WAL); waits for a PostgreSQL database to accept connections.
    /// </summary>
    public static void Prepare(StorageOptions storage)
    {
        if (IsPostgres(storage))
        {
            AwaitPostgres(storage);
            return;
        }
        var builder = new SqliteConnectionStringBuilder(storage.ConnectionString);
        try
        {
            if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(file));
                if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            }
            using var connection = new SqliteConnection(storage.ConnectionString);
            connection.Open();
            using var cmd = connection.CreateCommand();
            // Rewriting the header's user version is a real write: a read-only file or folder fails here, named, rather
            // than at the journal's first write, deep in the actor system, where it takes the process down.
            cmd.CommandText = "PRAGMA journal_mode=WAL;";
            cmd.ExecuteNonQuery();
            cmd.CommandText = "PRAGMA user_version;";
            var version = Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            cmd.CommandText = $"PRAGMA user_version = {version};";
            cmd.ExecuteNonQuery();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"The journal ({Describe(storage)}) cannot be written: {e.Message} "
                + "Check that the file and its folder are writable by this process (SQLite also writes -wal and -shm files beside it).", e);
        }
    }

    /// <summary>
    /// Opens one connection, retrying while none can be made for <see cref="StorageOptions.StartupWaitSeconds"/>. Without
    /// it a journal that cannot connect at start leaves the server up but never ready, its requests hanging; with it the
    /// start stops, naming the store (password masked) and the driver's reason, and a supervisor can start it again.
    /// </summary>
    private static void AwaitPostgres(StorageOptions storage)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(storage.StartupWaitSeconds);
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(storage.ConnectionString);
                connection.Open();
                return;
            }
            catch (NpgsqlException e) when (e is not PostgresException && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
            catch (Exception e) when (e is NpgsqlException or ArgumentException)
            {
                throw new StorageUnavailableException($"The journal ({Describe(storage)}) cannot be opened: {e.Message}", e);
            }
        }
    }

    /// <summary>The SQLite journal's file as a full path; null for PostgreSQL and an in-memory SQLite.</summary>
    public static string? SqliteFile(StorageOptions storage)
    {
        if (!storage.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase)) return null;
        var builder = new SqliteConnectionStringBuilder(storage.ConnectionString);
        return builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory ? Path.GetFullPath(file) : null;
    }

    /// <summary>
    /// The journal as a log line may name it, credentials left out: SQLite's file as a full path, any other store's
    /// connection string with its password (and anything else secret-looking) replaced by <c>***</c>.
    /// </summary>
    public static string Describe(StorageOptions storage)
    {
        try
        {
            if (storage.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
            {
                var file = new SqliteConnectionStringBuilder(storage.ConnectionString).DataSource;
                return "SQLite " + (file is { Length: > 0 } && file != ":memory:" ? Path.GetFullPath(file) : ":memory:");
            }
            var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = storage.ConnectionString };
            foreach (var key in builder.Keys.Cast<string>().ToList())
                if (SecretKeys.Any(k => key.Contains(k, StringComparison.OrdinalIgnoreCase))) builder[key] = "***";
            return $"{storage.Provider} {builder.ConnectionString}";
        }
        catch (ArgumentException)
        {
            return $"{storage.Provider} (connection string not shown: it does not parse)";
        }
    }

    private static readonly string[] SecretKeys = ["password", "pwd", "secret", "token", "key", "cert"];
}

/// <summary>The journal cannot be used at start-up; the message names the store (never its password) and why.</summary>
internal sealed class StorageUnavailableException(string message, Exception inner) : InvalidOperationException(message, inner);
