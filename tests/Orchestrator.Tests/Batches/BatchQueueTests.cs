using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Batches;

/// <summary>
/// A big batch on a slow account: acknowledged at once, its tasks started only as the account takes work, a queued
/// task answerable, cancellable, and continued after a restart.
/// </summary>
public class BatchQueueTests : IAsyncLifetime
{
    private readonly TestStore _store;
    private SimulatorServer _sim = null!;

    public BatchQueueTests() => _store = TestStores.For(GetType());

    public async Task InitializeAsync() => _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.4 });

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        _store.Dispose();
    }

    private Task<OrchestratorServer> StartAsync() =>
        OrchestratorServer.StartAsync(_store, _sim.BaseUrl, "--Orchestrator:Providers:simulator:Qps=10");

    private static string Body(int n) => string.Join("\n", Enumerable.Range(1, n).Select(i =>
        JsonSerializer.Serialize(new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = $"p{i}" })));

    private static async Task<string> UploadAsync(OrchestratorServer server, int n)
    {
        var response = await server.Http.PostAsync("/v1/batches", new StringContent(Body(n), Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
    }

    private static Task<JsonElement> BatchAsync(OrchestratorServer server, string id) => server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{id}");

    private static string TaskIdOf(string batchId, int line) => batchId[..20] + line.ToString("x12");

    [StoreFact]
    public async Task Tasks_start_only_as_the_account_takes_work_and_a_queued_task_is_answerable()
    {
        await using var server = await StartAsync();
        var batchId = await UploadAsync(server, 3000);

        var early = await BatchAsync(server, batchId);
        Assert.Equal(3000, early.GetProperty("total").GetInt32());
        // 10 QPS shared by submits and polls: after the upload only a window of about two seconds' worth has started.
        var started = 3000 - early.GetProperty("counts").GetProperty("accepted").GetInt32();
        Assert.True(started <= 200, $"{started} tasks started right after the upload");
        Assert.Equal(JsonValueKind.Null, early.GetProperty("etaSeconds").ValueKind); // nothing ended yet: no rate to tell

        var last = await server.GetAsync(TaskIdOf(batchId, 3000));
        Assert.Equal(TaskLifecycle.Accepted, last.Status);
        Assert.Equal(batchId, last.BatchId);
        Assert.Equal(3000, last.BatchLine);

        var first = await server.WaitForEndAsync(TaskIdOf(batchId, 1), TimeSpan.FromSeconds(30));
        Assert.Equal(TaskLifecycle.Succeeded, first.Status);
        // A few tasks a second at 10 QPS: the thousands left, queued ones included, take many minutes.
        var measured = await Eventually.Until(() => BatchAsync(server, batchId), b => b.GetProperty("ended").GetInt32() >= 2, TimeSpan.FromSeconds(30), "two tasks to end");
        Assert.True(measured.GetProperty("etaSeconds").GetDouble() > 100);
    }

    [StoreFact]
    public async Task Cancelling_a_batch_ends_queued_tasks_without_starting_them_and_cancels_started_ones()
    {
        await using var server = await StartAsync();
        var batchId = await UploadAsync(server, 500);
        var before = await Eventually.Until(() => BatchAsync(server, batchId), b => b.GetProperty("ended").GetInt32() >= 3, TimeSpan.FromSeconds(30), "some tasks to end");

        var cancel = await server.Http.DeleteAsync($"/v1/batches/{batchId}");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        // Only what had not ended is counted as cancelled: the tasks that ended before it are not.
        var answer = await cancel.Content.ReadFromJsonAsync<JsonElement>();
        var counted = answer.GetProperty("queuedCancelled").GetInt32() + answer.GetProperty("startedCancelled").GetInt32();
        Assert.True(counted <= 500 - before.GetProperty("ended").GetInt32(), $"{counted} counted as cancelled, {before.GetProperty("ended")} had ended");
        var submitsAtCancel = _sim.Sim.Stats().Submits;

        var final = await Eventually.Until(() => BatchAsync(server, batchId), b => b.GetProperty("ended").GetInt32() == 500, TimeSpan.FromSeconds(30), "every task to end");
        Assert.True(final.GetProperty("cancelled").GetBoolean());
        Assert.True(final.GetProperty("counts").GetProperty("cancelled").GetInt32() > 300);
        Assert.Equal(TaskLifecycle.Cancelled, (await server.GetAsync(TaskIdOf(batchId, 500))).Status);
        // Nothing queued was submitted after the cancel (at most the few whose permits were already granted).
        Assert.True(_sim.Sim.Stats().Submits - submitsAtCancel <= 5);

        // Every task ends in the completion stream exactly once, the never-started ones included.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new Dictionary<string, TaskLifecycle>();
        await foreach (var c in server.Orchestrator.CompletionsAsync(0, timeout.Token))
        {
            if (c.Task.BatchId != batchId) continue;
            Assert.True(seen.TryAdd(c.Task.Id, c.Task.Status), $"{c.Task.Id} completed twice");
            if (seen.Count == 500) break;
        }
        Assert.Equal(final.GetProperty("counts").GetProperty("cancelled").GetInt32(), seen.Values.Count(s => s == TaskLifecycle.Cancelled));
    }

    [StoreFact]
    public async Task A_batch_continues_after_a_restart()
    {
        string batchId;
        await using (var server = await StartAsync())
        {
            batchId = await UploadAsync(server, 120);
            await Eventually.Until(() => BatchAsync(server, batchId), b => b.GetProperty("ended").GetInt32() >= 5, TimeSpan.FromSeconds(30), "some tasks to end");
        }
        await using (var server = await StartAsync())
        {
            var final = await Eventually.Until(() => BatchAsync(server, batchId), b => b.GetProperty("ended").GetInt32() == 120, TimeSpan.FromSeconds(90), "the batch to end");
            Assert.Equal(120, final.GetProperty("counts").GetProperty("succeeded").GetInt32());
        }
        Assert.Equal(0, _sim.Sim.Stats().DuplicateExternalIds);
    }

    [StoreFact]
    public async Task A_restart_wakes_only_the_batches_with_work_left_and_a_finished_one_still_answers()
    {
        string finished, running;
        await using (var server = await StartAsync())
        {
            finished = await UploadAsync(server, 3);
            await Eventually.Until(() => BatchAsync(server, finished), b => b.GetProperty("ended").GetInt32() == 3, TimeSpan.FromSeconds(30), "the small batch to end");
            running = await UploadAsync(server, 3000); // at 10 QPS it has work left for many minutes
        }
        await using (var server = await StartAsync())
        {
            var system = server.Services.GetRequiredService<Akka.Actor.ActorSystem>();
            async Task<bool> InMemoryAsync(string batchId)
            {
                try { await system.ActorSelection($"/user/batches/{batchId}").ResolveOne(TimeSpan.FromSeconds(1)); return true; }
                catch (Akka.Actor.ActorNotFoundException) { return false; }
            }
            await Eventually.Until(() => InMemoryAsync(running), woken => woken, TimeSpan.FromSeconds(20), "the batch with work left to be woken");
            Assert.False(await InMemoryAsync(finished), "a finished batch was woken at start");

            var answer = await BatchAsync(server, finished);
            Assert.Equal(3, answer.GetProperty("counts").GetProperty("succeeded").GetInt32());
        }
    }
}
