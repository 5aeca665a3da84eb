using System.Net.Http.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// Chanjing in cluster mode: a new access token invalidates the previous one, so the cluster has one token owner per
/// account and every node uses its token. Before, each node fetched its own and knocked the other's out (10400).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterChanjingTokenTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task Two_nodes_submitting_Chanjing_tasks_share_one_token_and_no_call_is_refused_for_it()
    {
        using var store = TestStores.Postgres();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.5, ImageMaxSeconds = 1.5 });
        using var cluster = new ClusterNodes(nameof(ClusterChanjingTokenTests), store, sim.BaseUrl, 2, 50, 0,
            "--Orchestrator:Providers:chanjing:Type=chanjing", $"--Orchestrator:Providers:chanjing:BaseUrl={sim.BaseUrl}",
            "--Orchestrator:Providers:chanjing:AppId=sim-app", "--Orchestrator:Providers:chanjing:SecretKey=sim-secret");
        await cluster.StartAsync(0);
        await cluster.StartAsync(1);

        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var node = cluster.Nodes[i % 2]!;
            var response = await node.Http.PostAsJsonAsync("/v1/tasks",
                Requests.Image($"a heron, take {i}", ("provider", "chanjing"), ("model", "kling-v2-1")), OrchestratorServer.Json);
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
        }

        var ended = new Dictionary<string, TaskView>();
        await Eventually.Until(async () =>
        {
            foreach (var id in ids.Where(id => !ended.ContainsKey(id)).ToList())
            {
                var view = await cluster.Nodes[0]!.Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json);
                if (view!.Status.IsTerminal()) ended[id] = view;
            }
            return ended.Count;
        }, count => count == ids.Count, TimeSpan.FromSeconds(120), $"every Chanjing task to end ({ended.Count} of {ids.Count})\n{cluster.Tail()}");

        var stats = sim.Sim.Stats("chanjing");
        output.WriteLine($"simulator (chanjing): {stats}");
        Assert.All(ended.Values, v => Assert.True(v.Status == TaskLifecycle.Succeeded, $"{v.Id}: {v.Status} {v.Error?.Code} {v.Error?.Message}"));
        Assert.Equal(1, stats.TokenRequests);
        Assert.Equal(0, stats.TokenRefusals);
    }
}
