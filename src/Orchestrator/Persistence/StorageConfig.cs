using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Orchestrator.Hosting;

namespace Orchestrator.Persistence;

/// <summary>Akka.Persistence.Sql HOCON for the configured store (SQLite by default, PostgreSQL at scale).</summary>
public static class StorageConfig
{
    public const string ThrottleDispatcher = "orchestrator.throttle-dispatcher";

    public static Config Build(StorageOptions storage)
    {
        var (provider, parallelism) = storage.Provider.ToLowerInvariant() switch
        {
            "sqlite" => ("SQLite.MS", 1), // one writer: SQLite serialises writes anyway
            "postgresql" or "postgres" => ("PostgreSQL.15", 4),
            _ => throw new InvalidOperationException($"Orchestrator:Storage:Provider '{storage.Provider}' is not supported (Sqlite or PostgreSql)."),
        };
        var cs = Quote(storage.ConnectionString);
        var hocon = $$"""
            akka.actor {
              serializers.orchestrator = "Orchestrator.Persistence.OrchestratorSerializer, Orchestrator"
              serialization-bindings { "Orchestrator.Persistence.IOrchestratorEvent, Orchestrator" = orchestrator }
            }
            orchestrator.throttle-dispatcher {
              type = PinnedDispatcher
            }
            orchestrator.journal-dispatcher {
              type = ForkJoinDispatcher
              throughput = 100
              dedicated-thread-pool.thread-count = 2
            }
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = "{{provider}}"
                  parallelism = {{parallelism}}
                  tag-write-mode = TagTable
                  auto-initialize = on
                  # The driver may block (SQLite does): keep its writes off the dispatcher actors run on.
                  materializer-dispatcher = "orchestrator.journal-dispatcher"
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = "{{provider}}"
                  auto-initialize = on
                }
              }
              query.journal.sql {
                connection-string = {{cs}}
                provider-name = "{{provider}}"
                tag-read-mode = TagTable
                # How soon a live completion stream (SSE, webhooks, CompletionsAsync) sees a new event.
                refresh-interval = 200ms
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>Creates the SQLite file's folder and switches the file to WAL once (it stays WAL).</summary>
    public static void Prepare(StorageOptions storage)
    {
        if (!storage.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase)) return;
        var builder = new SqliteConnectionStringBuilder(storage.ConnectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        using var connection = new SqliteConnection(storage.ConnectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
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

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
