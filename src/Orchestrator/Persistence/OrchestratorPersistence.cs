using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;

namespace Orchestrator.Persistence;

/// <summary>
/// The orchestrator's own journal, snapshot store and read journal. They are never the host's default plugins: a host
/// that runs Akka.NET already keeps its own persistence, and every persistent actor and query of the orchestrator names
/// these ids.
/// </summary>
internal static class OrchestratorPersistence
{
    /// <summary>The plugin identifier: <c>akka.persistence.journal.orchestrator</c> and its siblings.</summary>
    public const string Id = "orchestrator";

    /// <summary>Configuration path of the orchestrator's journal.</summary>
    public const string JournalPluginId = "akka.persistence.journal." + Id;

    /// <summary>Configuration path of the orchestrator's snapshot store.</summary>
    public const string SnapshotPluginId = "akka.persistence.snapshot-store." + Id;

    /// <summary>Configuration path of the read journal over the orchestrator's journal.</summary>
    public const string QueryPluginId = "akka.persistence.query.journal." + Id;

    /// <summary>The read journal over the orchestrator's journal (events by tag and by persistence id).</summary>
    public static SqlReadJournal ReadJournal(ActorSystem system) =>
        PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(QueryPluginId);
}
