using System.Collections.Concurrent;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// Three nodes as separate processes on one PostgreSQL database: a 2,000-task batch submitted through all three APIs,
/// one node killed with SIGKILL mid-batch. Every task ends, none is submitted twice, and the simulator, counting on
/// its own rolling window, never sees more than the account's QPS or concurrency from the cluster as a whole.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Tasks = 2_000;
    private const int Qps = 150;
    private const int Concurrency = 100;

    [PostgresFact]
    public async Task Three_nodes_share_a_batch_and_its_limits_and_finish_every_task_after_one_is_killed()
    {
        using var store = TestStores.Postgres();
        await using var sim = await ClusterNodes.StartSimulatorAsync(Qps, Concurrency);
        using var cluster = new ClusterNodes("failover", store, sim.BaseUrl, 3, Qps, Concurrency);
        await cluster.StartAsync(0);
        await Task.WhenAll(cluster.StartAsync(1), cluster.StartAsync(2));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Twelve clients submit round-robin over the nodes that are up; the one that reaches line 666 kills node 2 first.
        var ids = new ConcurrentDictionary<int, string>();
        var next = -1;
        var workers = Enumerable.Range(0, 12).Select(async _ =>
        {
            for (var line = Interlocked.Increment(ref next); line < Tasks; line = Interlocked.Increment(ref next))
            {
                if (line == Tasks / 3) cluster.Kill(2);
                ids[line] = await cluster.SubmitAsync("cluster", line);
            }
        });
        await Task.WhenAll(workers);
        output.WriteLine($"submitted {ids.Count} tasks in {clock.Elapsed.TotalSeconds:0.0} s; node 2 killed after {Tasks / 3}");

        var statuses = await cluster.WaitForEndAsync(ids.Values, TimeSpan.FromSeconds(150));

        var stats = sim.Sim.Stats();
        output.WriteLine($"every task ended after {clock.Elapsed.TotalSeconds:0.0} s; simulator: {stats}");
        Assert.Equal(Tasks, ids.Values.Distinct().Count());
        Assert.All(statuses.Values, s => Assert.Equal(TaskLifecycle.Succeeded, s));
        ClusterNodes.AssertEachTaskOnceWithinLimits(stats, Tasks, Qps);
    }
}
