using System.Net;
using System.Net.Http.Json;
using Orchestrator.Hosting;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// <c>GET /v1/admin/stuck</c> in cluster mode checks every unfinished task of the cluster, wherever it runs. Before, it
/// asked the local supervisor, which the shard region replaces and which does not answer: the request timed out.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterStuckTests
{
    [PostgresFact]
    public async Task The_stuck_report_on_any_node_checks_the_running_tasks_of_every_node()
    {
        using var store = TestStores.Postgres();
        // Tasks that run for a minute: unfinished, each waiting on its poll timer, none stuck.
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 60, ImageMaxSeconds = 90 });
        using var cluster = new ClusterNodes(nameof(ClusterStuckTests), store, sim.BaseUrl, 2, qps: 50);
        await cluster.StartAsync(0);
        await cluster.StartAsync(1);

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var response = await cluster.Nodes[i % 2]!.Http.PostAsJsonAsync("/v1/tasks", Requests.Image($"a slow heron {i}"), OrchestratorServer.Json);
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
        }
        await Eventually.Until(async () =>
        {
            var submitted = 0;
            foreach (var id in ids)
                if ((await cluster.Nodes[0]!.Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json))!.ProviderTaskId is not null) submitted++;
            return submitted;
        }, n => n == ids.Count, TimeSpan.FromSeconds(60), $"every task to be submitted\n{cluster.Tail()}");

        foreach (var node in cluster.Nodes)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var answer = await node!.Http.GetAsync("/v1/admin/stuck");
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode} after {clock.Elapsed.TotalSeconds:0.0} s: {await answer.Content.ReadAsStringAsync()}");
            var report = (await answer.Content.ReadFromJsonAsync<StuckTaskReport>(OrchestratorServer.Json))!;
            Assert.Equal(ids.Count, report.Checked);
            Assert.Empty(report.Stuck);
        }
    }
}
