using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Orchestrator.Tests.Webhooks;
using Orchestrator.Webhooks;

namespace Orchestrator.Tests.Cluster;

/// <summary>Webhooks in cluster mode: an endpoint is delivered by one node at a time, whichever node a task ran on.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterWebhookTests
{
    [PostgresFact]
    public async Task An_endpoint_registered_on_one_node_gets_each_completion_of_the_cluster_once()
    {
        using var store = TestStores.Postgres();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5 });
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        using var cluster = new ClusterNodes("webhooks", store, sim.BaseUrl, 2, qps: 50);
        var first = await cluster.StartAsync(0);
        var registered = await first.Http.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        receiver.Secret = (await registered.Content.ReadFromJsonAsync<JsonNode>())!["secret"]!.GetValue<string>();
        var second = await cluster.StartAsync(1);

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var response = await (i % 2 == 0 ? first : second).Http.PostAsJsonAsync("/v1/tasks", Requests.Image($"hooked {i}"), OrchestratorServer.Json);
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
        }
        await Eventually.Until(() => Task.FromResult(receiver.AcceptedTaskIds.ToHashSet()), got => got.IsSupersetOf(ids), TimeSpan.FromSeconds(90),
            $"a delivery of each of the 20 tasks (receiver got {receiver.RequestCount} requests)\n{cluster.Tail()}");

        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
        // One node delivers the endpoint: each completion once, not once per node.
        Assert.Equal(ids.Count, receiver.Requests.Count(r => ids.Contains(r.TaskId!)));
    }
}
