using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// Batches in cluster mode: a batch has one writer of its journal whichever node is asked about it. Before, a status read
/// on a node other than the upload's started a second incarnation of the batch there, which released the same queued
/// tasks and wrote the same sequence numbers, and a cancel through that node stopped only its own incarnation.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterBatchTests(ITestOutputHelper output)
{
    private const int Lines = 300;

    private static string Body(int n) => string.Join("\n", Enumerable.Range(1, n).Select(i =>
        JsonSerializer.Serialize(new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = $"batch line {i}" })));

    private static Task<JsonElement> BatchAsync(ServerProcess node, string id) => node.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{id}");

    [PostgresFact]
    public async Task A_batch_past_its_retention_is_gone_on_every_node()
    {
        using var store = TestStores.Postgres();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.4 });
        // Two seconds after its last task ended a batch is past its time; every node has the same settings.
        using var cluster = new ClusterNodes(nameof(ClusterBatchTests) + "-retention", store, sim.BaseUrl, 2, 20, 0,
            $"--Orchestrator:Retention:EndedTaskDays={2.0 / 86_400}", "--Orchestrator:Retention:SweepSeconds=0.5", "--Orchestrator:Retention:BatchSize=5");
        var first = await cluster.StartAsync(0);
        var second = await cluster.StartAsync(1);
        var upload = await second.Http.PostAsync("/v1/batches", new StringContent(Body(8), Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var batchId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;

        // Before: each node swept, and when the one without the batch directory (a singleton) removed the batch, the
        // directory still knew it: every node answered 200 with all 8 tasks queued again, until the directory's node restarted.
        foreach (var (node, index) in new[] { (first, 0), (second, 1) })
            await Eventually.Until(async () => (await node.Http.GetAsync($"/v1/batches/{batchId}")).StatusCode, code => code == HttpStatusCode.NotFound,
                TimeSpan.FromSeconds(60), $"the batch to be gone on node {index}\n{cluster.Tail()}");
        Assert.Equal(8, sim.Sim.Stats().Tasks);
    }

    [PostgresFact]
    public async Task A_batch_uploaded_on_one_node_is_read_and_cancelled_through_another_with_one_writer()
    {
        using var store = TestStores.Postgres();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.4 });
        // 10 calls a second: the batch's tasks go out a few a second, so most are still queued in it when it is cancelled.
        using var cluster = new ClusterNodes(nameof(ClusterBatchTests), store, sim.BaseUrl, 2, qps: 10);
        var uploadNode = await cluster.StartAsync(0);
        var otherNode = await cluster.StartAsync(1);

        var upload = await uploadNode.Http.PostAsync("/v1/batches", new StringContent(Body(Lines), Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var batchId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;

        var status = await BatchAsync(otherNode, batchId);
        Assert.Equal(Lines, status.GetProperty("total").GetInt32());
        var lastLine = await otherNode.Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{batchId[..20] + Lines.ToString("x12")}", OrchestratorServer.Json);
        Assert.Equal(TaskLifecycle.Accepted, lastLine!.Status); // still queued in its batch, answered through the other node
        Assert.Equal(batchId, lastLine.BatchId);

        await Eventually.Until(() => BatchAsync(otherNode, batchId), b => b.GetProperty("ended").GetInt32() >= 5, TimeSpan.FromSeconds(60),
            $"some of the batch's tasks to end\n{cluster.Tail()}");
        var cancel = await otherNode.Http.DeleteAsync($"/v1/batches/{batchId}");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var answer = await cancel.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(answer.GetProperty("queuedCancelled").GetInt32() > Lines / 2, answer.ToString());
        var submitsAtCancel = sim.Sim.Stats().Submits;

        foreach (var node in new[] { otherNode, uploadNode })
        {
            var final = await Eventually.Until(() => BatchAsync(node, batchId), b => b.GetProperty("ended").GetInt32() == Lines,
                TimeSpan.FromSeconds(60), $"every task of the batch to end\n{cluster.Tail()}");
            Assert.True(final.GetProperty("cancelled").GetBoolean());
            // Every queued task ends cancelled; a started one asked to cancel may have ended first.
            var cancelled = final.GetProperty("counts").GetProperty("cancelled").GetInt32();
            var queued = answer.GetProperty("queuedCancelled").GetInt32();
            Assert.InRange(cancelled, queued, queued + answer.GetProperty("startedCancelled").GetInt32());
        }
        var results = (await (await otherNode.Http.GetAsync($"/v1/batches/{batchId}/results")).Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<TaskView>(l, OrchestratorServer.Json)!).ToList();
        Assert.Equal(Enumerable.Range(1, Lines), results.Select(v => v.BatchLine!.Value).Order());
        Assert.All(results, v => Assert.True(v.Status is TaskLifecycle.Succeeded or TaskLifecycle.Cancelled, $"line {v.BatchLine}: {v.Status}"));

        // One incarnation released the tasks: nothing queued went out after the cancel, and no task twice.
        var stats = sim.Sim.Stats();
        output.WriteLine($"cancel: {answer}; simulator: {stats}");
        Assert.True(stats.Submits - submitsAtCancel <= 5, $"{stats.Submits - submitsAtCancel} submits after the cancel");
        Assert.Equal(0, stats.DuplicateExternalIds);
        Assert.Equal(results.Count(v => v.ProviderTaskId is not null), stats.Tasks);
        // A second writer of the batch's persistence id shows as a sequence number the journal already has. (Two nodes
        // creating the schema at once may collide on PostgreSQL's type catalogue, pg_type: that is no journal write.)
        var conflicts = cluster.Nodes.SelectMany(n => n!.Output).Where(l =>
            (l.Contains("duplicate key", StringComparison.OrdinalIgnoreCase) && !l.Contains("pg_type_typname_nsp_index", StringComparison.Ordinal))
            || l.Contains("Failed to persist", StringComparison.OrdinalIgnoreCase) || l.Contains("Rejected to persist", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(conflicts.Count == 0, string.Join("\n", conflicts.Take(10)));
    }
}
