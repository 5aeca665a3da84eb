using System.Collections.Concurrent;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// Nodes come and go under load: a third node joins mid-batch and takes submissions, then a node leaves with SIGTERM
/// and hands its shards (tasks and maybe the throttle) over. No task fails, none is submitted twice, the limits hold.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterMembershipTests(ITestOutputHelper output)
{
    private const int Tasks = 600;
    private const int Qps = 100;
    private const int Concurrency = 60;

    [PostgresFact]
    public async Task A_node_joining_mid_batch_takes_work_and_a_node_leaving_with_SIGTERM_fails_no_task()
    {
        using var store = TestStores.Postgres();
        await using var sim = await ClusterNodes.StartSimulatorAsync(Qps, Concurrency, minSeconds: 1, maxSeconds: 2);
        using var cluster = new ClusterNodes("membership", store, sim.BaseUrl, 3, Qps, Concurrency);
        await cluster.StartAsync(0);
        await cluster.StartAsync(1);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ids = new ConcurrentDictionary<int, string>();
        async Task SubmitAsync(int from, int to)
        {
            for (var line = from; line < to; line++) ids[line] = await cluster.SubmitAsync("members", line);
        }

        await SubmitAsync(0, 200);
        var joining = cluster.StartAsync(2);
        await SubmitAsync(200, 300); // while node 2 starts and joins
        await joining;
        await SubmitAsync(300, 400);
        output.WriteLine($"node 2 joined; 400 submitted at {clock.Elapsed.TotalSeconds:0.0} s");

        cluster.Terminate(1);
        await SubmitAsync(400, Tasks);
        Assert.Equal(0, await cluster.Nodes[1]!.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine($"node 1 left; {ids.Count} submitted at {clock.Elapsed.TotalSeconds:0.0} s");

        var statuses = await cluster.WaitForEndAsync(ids.Values, TimeSpan.FromSeconds(150));

        var stats = sim.Sim.Stats();
        output.WriteLine($"every task ended after {clock.Elapsed.TotalSeconds:0.0} s; simulator: {stats}");
        Assert.Equal(Tasks, ids.Values.Distinct().Count());
        Assert.All(statuses.Values, s => Assert.Equal(TaskLifecycle.Succeeded, s));
        ClusterNodes.AssertEachTaskOnceWithinLimits(stats, Tasks, Qps);
    }
}
