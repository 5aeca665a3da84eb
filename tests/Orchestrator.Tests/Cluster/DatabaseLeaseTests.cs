using Akka.Configuration;
using Akka.Coordination;
using Orchestrator.Cluster;
using Orchestrator.ReadModel;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cluster;

/// <summary>The split-brain resolver's arbiter: one lock in the shared PostgreSQL database, held by one node at a time.</summary>
public sealed class DatabaseLeaseTests
{
    private static DatabaseLease Lease(TestStore store, string owner) =>
        new(new LeaseSettings("orchestrator-akka-sbr", owner, new TimeoutSettings(TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(5)), Config.Empty),
            new ReadModelDatabase(store.Storage));

    [PostgresFact]
    public async Task One_node_holds_it_at_a_time_and_a_release_lets_the_other_take_it()
    {
        using var store = TestStores.Postgres();
        var node1 = Lease(store, "node-1");
        var node2 = Lease(store, "node-2");

        Assert.True(await node1.Acquire());
        Assert.True(node1.CheckLease());
        Assert.True(await node1.Acquire()); // asked again by its holder: still its
        Assert.False(await node2.Acquire());
        Assert.False(node2.CheckLease());

        Assert.True(await node1.Release());
        Assert.False(node1.CheckLease());
        Assert.True(await node2.Acquire());
        Assert.False(await node1.Acquire());
        await node2.Release();
    }

    [PostgresFact]
    public async Task A_holder_whose_session_ends_without_releasing_gives_it_up()
    {
        using var store = TestStores.Postgres();
        var dead = Lease(store, "dead-node");
        Assert.True(await dead.Acquire());

        // What the database sees when a node is killed: its session ends, the lock with it.
        await using (var admin = await new ReadModelDatabase(store.Storage).OpenAsync(CancellationToken.None))
        {
            await using var cmd = admin.CreateCommand();
            cmd.CommandText = "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND pid <> pg_backend_pid()";
            await cmd.ExecuteNonQueryAsync();
        }

        var survivor = Lease(store, "survivor");
        Assert.True(await Eventually.Until(() => survivor.Acquire(), got => got, TimeSpan.FromSeconds(10), "the survivor to take the lease"));
        await survivor.Release();
    }
}
