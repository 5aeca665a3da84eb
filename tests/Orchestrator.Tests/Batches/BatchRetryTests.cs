using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Batches;

/// <summary><c>POST /v1/batches/{id}/retry</c>: the failed lines of an ended batch run again as a new batch, each task linked to its original.</summary>
public sealed class BatchRetryTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5, VideoMinSeconds = 30, VideoMaxSeconds = 40 })
{
    private static string Line(int i, string kind = "text-to-image", string model = "kling-v1-5") =>
        JsonSerializer.Serialize(new { provider = "simulator", kind, model, prompt = $"prompt {i}", metadata = new { n = i.ToString() } });

    private async Task<string> UploadAsync(params string[] lines)
    {
        var response = await Server.Http.PostAsync("/v1/batches", new StringContent(string.Join("\n", lines), Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
    }

    private Task<JsonElement> WaitEndedAsync(string batchId, int total) =>
        Eventually.Until(() => Server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{batchId}"),
            b => b.GetProperty("ended").GetInt32() == total, TimeSpan.FromSeconds(60), $"batch {batchId} to end");

    [Fact]
    public async Task Retrying_a_batch_runs_its_failed_lines_again_as_a_new_batch_whose_tasks_name_the_originals()
    {
        SimOptions.FailureRate = 1;
        var original = await UploadAsync(Line(1), Line(2), Line(3));
        var ended = await WaitEndedAsync(original, 3);
        Assert.Equal(3, ended.GetProperty("counts").GetProperty("failed").GetInt32());
        SimOptions.FailureRate = 0;

        var response = await Server.Http.PostAsync($"/v1/batches/{original}/retry", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var retry = answer.GetProperty("batchId").GetString()!;
        Assert.NotEqual(original, retry);
        Assert.Equal(original, answer.GetProperty("retryOf").GetString());
        Assert.Equal(3, answer.GetProperty("retried").GetInt32());
        var tasks = answer.GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], tasks.Select(t => t.GetProperty("line").GetInt32()));
        var done = await WaitEndedAsync(retry, 3);
        Assert.Equal(3, done.GetProperty("counts").GetProperty("succeeded").GetInt32());
        Assert.Equal(original, done.GetProperty("retryOf").GetString());

        // Each new task is its line again (same request), and names the task it retries.
        var originals = (await Server.Http.GetFromJsonAsync<JsonElement>($"/v1/tasks?batch={original}")).GetProperty("items").EnumerateArray()
            .ToDictionary(t => t.GetProperty("batchLine").GetInt32(), t => t.GetProperty("id").GetString());
        foreach (var t in tasks)
        {
            var view = await Server.GetAsync(t.GetProperty("taskId").GetString()!);
            Assert.Equal(TaskLifecycle.Succeeded, view.Status);
            Assert.Equal(retry, view.BatchId);
            Assert.Equal(originals[view.BatchLine!.Value], t.GetProperty("retryOf").GetString());
            var json = await Server.Http.GetFromJsonAsync<JsonElement>($"/v1/tasks/{view.Id}");
            Assert.Equal(originals[view.BatchLine!.Value], json.GetProperty("retryOf").GetString());
            Assert.Equal(view.BatchLine.ToString(), view.Metadata!["n"]);
        }
        // The original batch names its retry.
        var again = await Server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{original}");
        Assert.Equal([retry], again.GetProperty("retries").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Only_failed_and_timed_out_lines_are_retried_never_twice_and_never_while_the_batch_runs()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.PostAsync($"/v1/batches/{TaskIds.New()}/retry", null)).StatusCode);

        // Still running (a video takes 30 s): 409, nothing created.
        var running = await UploadAsync(Line(1), Line(2, "text-to-video", "kling-v1-6"));
        var busy = await Server.Http.PostAsync($"/v1/batches/{running}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Contains("still running", (await busy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await Server.Http.DeleteAsync($"/v1/batches/{running}")).StatusCode);
        await WaitEndedAsync(running, 2);
        // Ended, but nothing failed (one succeeded, one cancelled: a cancellation was somebody's decision): 409.
        var nothing = await Server.Http.PostAsync($"/v1/batches/{running}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, nothing.StatusCode);
        Assert.Contains("nothing to retry", (await nothing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        SimOptions.FailureRate = 1;
        var failed = await UploadAsync(Line(1), Line(2));
        await WaitEndedAsync(failed, 2);
        SimOptions.FailureRate = 0;
        var first = await Server.Http.PostAsync($"/v1/batches/{failed}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var retry = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString();
        // A second click retries nothing again: the failed lines already have their retry.
        var second = await Server.Http.PostAsync($"/v1/batches/{failed}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(retry!, problem.GetProperty("detail").GetString());
        await WaitEndedAsync(retry!, 2);
    }
}
