using Akka;
using Akka.Actor;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Persistence;

/// <summary>The nodes of a docker-compose start at once on an empty PostgreSQL database: each node's journal must come up.</summary>
public sealed class JournalSchemaRaceTests
{
    [PostgresFact]
    public async Task Journals_starting_together_on_an_empty_database_all_write()
    {
        using var store = TestStores.Postgres();
        var failures = await Task.WhenAll(Enumerable.Range(0, 3).Select(node => Task.Run(async () =>
        {
            try
            {
                using var host = new JournalOnlyHost(store.Storage);
                var id = TaskIds.New();
                var writer = host.System.ActorOf(Props.Create(() => new SqliteReadLockTests.EventWriter(TaskIds.PersistenceId(id))));
                await writer.Ask<Done>(new TaskAccepted(id, TaskActors.Image($"node {node}"), DateTimeOffset.UtcNow), TimeSpan.FromSeconds(30));
                return null;
            }
            catch (Exception ex) { return $"node {node}: {ex.GetType().Name}: {ex.Message}"; }
        })));

        Assert.All(failures, Assert.Null);
    }
}
