using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;
using Orchestrator.Hosting;

namespace Orchestrator.Persistence;

/// <summary>Registers the orchestrator's journal, snapshot store, read journal, event tags and serializer with a host's actor system.</summary>
public static class OrchestratorPersistenceHosting
{
    /// <summary>Where journal writes run: the driver may block (SQLite does), so never on the dispatcher actors run on.</summary>
    public const string JournalDispatcher = "orchestrator.journal-dispatcher";

    /// <summary>
    /// Adds the orchestrator's SQL journal and snapshot store under their own plugin ids (<see cref="OrchestratorPersistence"/>),
    /// not as the system's defaults, so the host's own default journal and snapshot store stay what they are. The tables
    /// keep Akka.Persistence.Sql's default names (<c>journal</c>, <c>tags</c>, <c>snapshot</c>), as earlier versions wrote them.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrchestratorPersistence(this AkkaConfigurationBuilder builder, StorageOptions storage)
    {
        var (providerName, parallelism) = StorageConfig.Driver(storage);
        StorageConfig.Prepare(storage);
        var journal = new SqlJournalOptions(isDefaultPlugin: false, identifier: OrchestratorPersistence.Id)
        {
            ConnectionString = storage.ConnectionString,
            ProviderName = providerName,
            AutoInitialize = true,
            TagStorageMode = TagMode.TagTable,
            // How soon a live completion stream (SSE, webhooks, CompletionsAsync) sees a new event.
            QueryRefreshInterval = TimeSpan.FromMilliseconds(200),
            ReadIsolationLevel = StorageConfig.ReadIsolation(storage),
            DataOptions = StorageConfig.JournalDataOptions(storage),
        };
        var snapshots = new SqlSnapshotOptions(isDefaultPlugin: false, identifier: OrchestratorPersistence.Id)
        {
            ConnectionString = storage.ConnectionString,
            ProviderName = providerName,
            AutoInitialize = true,
            ReadIsolationLevel = StorageConfig.ReadIsolation(storage),
            DataOptions = StorageConfig.JournalDataOptions(storage),
        };
        // Settings the options do not cover; prepended so they win over the plugin's defaults.
        var tuning = ConfigurationFactory.ParseString($$"""
            {{OrchestratorPersistence.JournalPluginId}} {
              class = "{{typeof(OrchestratorJournal).AssemblyQualifiedName}}"
              parallelism = {{parallelism}}
              materializer-dispatcher = "{{JournalDispatcher}}"
            }
            {{StorageConfig.QueryTuning(storage)}}
            """);
        var dispatcher = ConfigurationFactory.ParseString($$"""
            {{JournalDispatcher}} {
              type = ForkJoinDispatcher
              throughput = 100
              dedicated-thread-pool.thread-count = 2
            }
            """);
        return builder
            .WithSqlPersistence(journal, snapshots,
                journalBuilder: j => j.AddWriteEventAdapter<OrchestratorEventTags>("orchestrator-tags", [typeof(IOrchestratorEvent)]))
            .AddHocon(tuning, HoconAddMode.Prepend)
            .AddHocon(dispatcher, HoconAddMode.Append)
            .AddHocon(journal.DefaultQueryConfig, HoconAddMode.Append)
            .WithCustomSerializer("orchestrator", [typeof(IOrchestratorEvent)], system => new OrchestratorSerializer(system));
    }
}
