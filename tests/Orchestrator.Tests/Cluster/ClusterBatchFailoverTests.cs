using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// Issue 22 as users push work: a 2,000-line batch uploaded with an <c>Idempotency-Key</c> through node 2 of three, a node
/// killed with SIGKILL once a third of the batch has ended, and the upload sent again to a survivor (a client that never
/// saw its answer). It is the same batch; every one of its 2,000 tasks succeeds, read through the survivors' APIs;
/// the simulator sees each task once, never more than the account's QPS in a rolling second nor its concurrency.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterBatchFailoverTests(ITestOutputHelper output)
{
    private const int Lines = 2_000;
    private const int Qps = 150;
    private const int Concurrency = 100;
    private const string Key = "failover-batch";

    private static readonly string Body = string.Join("\n", Enumerable.Range(1, Lines).Select(i =>
        JsonSerializer.Serialize(new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = $"failover line {i}" })));

    private static async Task<HttpResponseMessage> UploadAsync(ServerProcess node, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/batches") { Content = new StringContent(Body, Encoding.UTF8, "application/x-ndjson") };
        request.Headers.Add("Idempotency-Key", Key);
        return await (client ?? node.Http).SendAsync(request);
    }

    /// <summary>
    /// As a client with .NET's default timeout (100 s) sends an upload again: on a 503 it waits the Retry-After and tries
    /// again, with the same key. While the node holding the batch directory is being replaced, the request waits for it.
    /// </summary>
    private static async Task<HttpResponseMessage> UploadAgainAsync(ServerProcess node)
    {
        using var client = new HttpClient { BaseAddress = node.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        for (var attempt = 1; ; attempt++)
        {
            var response = await UploadAsync(node, client);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 3) return response;
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>What the throttle holds (queues, slots), read when the batch does not end: where a stall would show.</summary>
    private static string ThrottleOf(ServerProcess node)
    {
        try { return node.Http.GetStringAsync("/v1/providers").GetAwaiter().GetResult(); }
        catch (Exception e) { return $"(not read: {e.Message})"; }
    }

    private static Task<JsonElement> BatchAsync(ServerProcess node, string id) => node.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{id}");

    /// <param name="killed">
    /// 2: a node that holds some of the batch's tasks. 0: the oldest node, which also holds the singletons (the batch
    /// directory with the batch's actor, webhooks, the waker): they start again on a survivor, from the journal.
    /// </param>
    /// <param name="resentTo">Where the client that never saw its answer sends the upload again.</param>
    [PostgresTheory]
    [InlineData(2, 0)]
    [InlineData(0, 1)]
    public async Task A_batch_uploaded_through_node_2_ends_whole_when_a_node_is_killed_mid_batch_and_sent_again_is_the_same_batch(int killed, int resentTo)
    {
        using var store = TestStores.Postgres();
        await using var sim = await ClusterNodes.StartSimulatorAsync(Qps, Concurrency);
        using var cluster = new ClusterNodes($"batch-failover-kill{killed}", store, sim.BaseUrl, 3, Qps, Concurrency);
        var nodes = new List<ServerProcess> { await cluster.StartAsync(0) };
        nodes.AddRange(await Task.WhenAll(cluster.StartAsync(1), cluster.StartAsync(2)));
        var survivors = nodes.Where((_, i) => i != killed).ToList();
        var clock = Stopwatch.StartNew();

        var upload = await UploadAsync(nodes[2]);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var batchId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        output.WriteLine($"uploaded {Lines} lines through node 2 in {clock.Elapsed.TotalSeconds:0.0} s");

        await Eventually.Until(() => BatchAsync(survivors[0], batchId), b => b.GetProperty("ended").GetInt32() >= Lines / 3, TimeSpan.FromSeconds(120),
            $"a third of the batch to end\n{cluster.Tail()}");
        var killedAt = clock.Elapsed;
        cluster.Kill(killed);

        // The client that never saw its answer sends the upload again, to a survivor: the same batch, nothing new. With the
        // batch directory's node dead, the request waits in the proxy until the singleton runs again elsewhere.
        var again = await UploadAgainAsync(nodes[resentTo]);
        var answeredAt = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var repeat = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(batchId, repeat.GetProperty("batchId").GetString());
        Assert.Equal(Lines, repeat.GetProperty("accepted").GetInt32());

        foreach (var node in survivors)
        {
            // Two thirds of the batch are left at the kill: 60 s here at 16 tasks/s, but 7 tasks/s was seen with the 2 cores
            // shared by other test runs (1,503 of 2,000 ended, and still ending, at 150 s): a slow machine is not a lost task.
            var done = await Eventually.Until(() => BatchAsync(node, batchId), b => b.GetProperty("ended").GetInt32() == Lines, TimeSpan.FromSeconds(240),
                b => $"every task of the batch to end (now {b.GetProperty("counts")}, {(clock.Elapsed - killedAt).TotalSeconds:0} s after the kill; "
                    + $"the account's throttle: {ThrottleOf(node)}; simulator: {sim.Sim.Stats()})\n{cluster.Tail()}");
            Assert.Equal(Lines, done.GetProperty("total").GetInt32());
            Assert.Equal(Lines, done.GetProperty("counts").GetProperty("succeeded").GetInt32());
        }
        var doneAt = clock.Elapsed;
        var results = (await (await survivors[1].Http.GetAsync($"/v1/batches/{batchId}/results")).Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<TaskView>(l, OrchestratorServer.Json)!).ToList();
        Assert.Equal(Enumerable.Range(1, Lines), results.Select(v => v.BatchLine!.Value));
        Assert.All(results, v => Assert.Equal(TaskLifecycle.Succeeded, v.Status));

        var stats = sim.Sim.Stats();
        var resumed = cluster.Nodes.Where((_, i) => i != killed).SelectMany(n => n!.Output)
            .Where(l => l.Contains("left the cluster: woke", StringComparison.Ordinal) || l.Contains("handed over again", StringComparison.Ordinal)
                || l.Contains("is gone; dropped", StringComparison.Ordinal));
        output.WriteLine($"node {killed} killed at {DateTime.UtcNow - (clock.Elapsed - killedAt):HH:mm:ss.fff}, {killedAt.TotalSeconds:0.0} s in; the batch ended {(doneAt - killedAt).TotalSeconds:0.0} s after the kill (the upload sent again was answered {(answeredAt - killedAt).TotalSeconds:0.0} s after it); simulator: {stats}");
        foreach (var line in resumed) output.WriteLine(line);
        ClusterNodes.AssertEachTaskOnceWithinLimits(stats, Lines, Qps);
    }
}
