using System.Collections.Concurrent;
using System.Net.Http.Json;
using Orchestrator.Simulator;
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
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            ImageMinSeconds = 1, ImageMaxSeconds = 2, QpsLimit = Qps, ConcurrencyLimit = Concurrency,
        });
        using var cluster = new ClusterNodes(store, sim.BaseUrl, 3,
            $"--Orchestrator:Providers:simulator:Qps={Qps}", $"--Orchestrator:Providers:simulator:MaxConcurrentTasks={Concurrency}");
        await cluster.StartAsync(0);
        await cluster.StartAsync(1);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ids = new ConcurrentDictionary<int, string>();
        var up = new List<int> { 0, 1 };
        async Task SubmitAsync(int from, int to)
        {
            for (var line = from; line < to; line++)
            {
                for (var attempt = 0; ; attempt++)
                {
                    List<int> now;
                    lock (up) now = up.ToList();
                    var node = cluster.Nodes[now[(line + attempt) % now.Count]]!;
                    try
                    {
                        var response = await node.Http.PostAsJsonAsync("/v1/tasks",
                            Requests.Image($"members {line}", ("idempotencyKey", $"members-{line}")), OrchestratorServer.Json);
                        if (response.IsSuccessStatusCode)
                        {
                            ids[line] = (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id;
                            break;
                        }
                        if (attempt > 20) Assert.Fail($"line {line}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                    catch (HttpRequestException) when (attempt < 20) { }
                    catch (TaskCanceledException) when (attempt < 20) { }
                    await Task.Delay(200);
                }
            }
        }

        await SubmitAsync(0, 200);
        var joining = cluster.StartAsync(2);
        await SubmitAsync(200, 300); // while node 2 starts and joins
        await joining;
        lock (up) up.Add(2);
        await SubmitAsync(300, 400);
        output.WriteLine($"node 2 joined; 400 submitted at {clock.Elapsed.TotalSeconds:0.0} s");

        lock (up) up.Remove(1);
        cluster.Nodes[1]!.Terminate();
        await SubmitAsync(400, Tasks);
        Assert.Equal(0, await cluster.Nodes[1]!.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine($"node 1 left; {ids.Count} submitted at {clock.Elapsed.TotalSeconds:0.0} s");

        var pending = ids.Values.ToHashSet();
        var statuses = new Dictionary<string, TaskLifecycle>();
        await Eventually.Until(async () =>
        {
            foreach (var id in pending.ToList())
            {
                var view = await cluster.Nodes[2]!.Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json);
                if (view!.Status.IsTerminal()) { statuses[id] = view.Status; pending.Remove(id); }
            }
            return pending.Count;
        }, left => left == 0, TimeSpan.FromSeconds(150), $"every task to end ({pending.Count} left)\n{cluster.Tail()}");

        var stats = sim.Sim.Stats();
        output.WriteLine($"every task ended after {clock.Elapsed.TotalSeconds:0.0} s; simulator: {stats}");
        Assert.Equal(Tasks, ids.Values.Distinct().Count());
        Assert.All(statuses.Values, s => Assert.Equal(TaskLifecycle.Succeeded, s));
        Assert.Equal(0, stats.DuplicateExternalIds);
        Assert.Equal(Tasks, stats.Tasks);
        Assert.True(stats.PeakRequestsPerSecond <= Qps, $"peak {stats.PeakRequestsPerSecond} calls in a rolling second, limit {Qps}");
        Assert.Equal(0, stats.QpsExceededAnswers);
        Assert.Equal(0, stats.ConcurrencyLimitAnswers);
    }
}
