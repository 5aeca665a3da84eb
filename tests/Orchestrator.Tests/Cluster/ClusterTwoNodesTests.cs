using System.Net;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// The first step of scaling out is a second node. When one of two dies, neither side is a majority: the split-brain
/// resolver decides by a lock in the shared database (<see cref="Orchestrator.Cluster.DatabaseLease"/>), which the dead
/// node cannot hold, so the survivor goes on whichever of the two died. Before, keep-majority kept the node with the
/// lowest address: when that was the dead one, the survivor downed itself and the whole cluster stopped.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTwoNodesTests(ITestOutputHelper output)
{
    private const int Before = 30, After = 20;

    [PostgresFact]
    public async Task When_the_node_keep_majority_would_keep_dies_the_other_goes_on_and_finishes_every_task()
    {
        using var store = TestStores.Postgres();
        await using var sim = await ClusterNodes.StartSimulatorAsync(qps: 50, concurrency: 50, minSeconds: 4, maxSeconds: 6);
        using var cluster = new ClusterNodes("two-nodes", store, sim.BaseUrl, 2, qps: 50, concurrency: 50);
        await cluster.StartAsync(0);
        await cluster.StartAsync(1);

        var ids = new List<string>();
        for (var line = 0; line < Before; line++) ids.Add(await cluster.SubmitAsync("two", line));
        var dead = cluster.LowestAddressOfTwo;
        var survivor = cluster.Nodes[1 - dead]!;
        cluster.Kill(dead);
        output.WriteLine($"node {dead} (the lowest address) killed with {Before} tasks running on both nodes");

        // Through the survivor, once it has decided (the dead node's removal): new work, and the dead node's tasks resumed.
        await Eventually.Until(() => Task.FromResult(survivor.Output.Any(l => l.Contains("left the cluster: woke", StringComparison.Ordinal))),
            removed => removed, TimeSpan.FromSeconds(60), $"the survivor to remove the dead node and wake its tasks\n{cluster.Tail()}");
        for (var line = Before; line < Before + After; line++) ids.Add(await cluster.SubmitAsync("two", line));
        var statuses = await cluster.WaitForEndAsync(ids, TimeSpan.FromSeconds(90));

        Assert.All(statuses.Values, s => Assert.Equal(TaskLifecycle.Succeeded, s));
        Assert.Equal(HttpStatusCode.OK, (await survivor.Http.GetAsync("/healthz")).StatusCode);
        Assert.DoesNotContain(survivor.Output, l => l.Contains("including myself", StringComparison.Ordinal)); // the resolver's "downing myself"
        output.WriteLine($"simulator: {sim.Sim.Stats()}");
        ClusterNodes.AssertEachTaskOnceWithinLimits(sim.Sim.Stats(), Before + After, 50);
    }
}
