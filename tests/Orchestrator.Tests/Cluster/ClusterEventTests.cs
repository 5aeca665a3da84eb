using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Orchestrator.Events;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cluster;

/// <summary>The completion stream in cluster mode: a subscriber on any node sees every node's completions, each once.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterEventTests
{
    private const int Tasks = 30;

    [PostgresFact]
    public async Task A_subscriber_on_one_node_sees_each_completion_of_tasks_submitted_through_another_once()
    {
        using var store = TestStores.Postgres();
        await using var sim = await ClusterNodes.StartSimulatorAsync(qps: 50, concurrency: 50);
        using var cluster = new ClusterNodes("events", store, sim.BaseUrl, 2, qps: 50);
        var subscribed = await cluster.StartAsync(0);
        var submitted = await cluster.StartAsync(1);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var response = await subscribed.Http.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        await using var events = SseParser.Create(body).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await events.MoveNextAsync()); // the first heartbeat: the stream is open, every later completion must come
        Assert.Equal("heartbeat", events.Current.EventType);

        // Through node 1 only; their shards, and so the actors that end them, are spread over both nodes.
        var ids = new List<string>();
        for (var i = 0; i < Tasks; i++) ids.Add(await SubmitThroughAsync(submitted, i));
        await cluster.WaitForEndAsync(ids, TimeSpan.FromSeconds(90));
        // The stream is in journal order: a completion of the 30 seen twice would come before one written after they all ended.
        var last = await SubmitThroughAsync(submitted, Tasks);

        var seen = new List<(string TaskId, long Offset)>();
        while (!seen.Any(s => s.TaskId == last) && await events.MoveNextAsync())
        {
            if (events.Current.EventType == "heartbeat") continue;
            var completion = JsonSerializer.Deserialize<TaskCompletion>(events.Current.Data, OrchestratorServer.Json)!;
            seen.Add((completion.Task.Id, long.Parse(events.Current.EventId!)));
        }

        Assert.Equal(ids.Append(last).Order(), seen.Select(s => s.TaskId).Order());
        Assert.Equal(seen.Select(s => s.Offset).Order(), seen.Select(s => s.Offset));
    }

    private static async Task<string> SubmitThroughAsync(ServerProcess node, int line)
    {
        var response = await node.Http.PostAsJsonAsync("/v1/tasks", Requests.Image($"streamed {line}"), OrchestratorServer.Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Orchestrator.Tasks.TaskView>(OrchestratorServer.Json))!.Id;
    }
}
