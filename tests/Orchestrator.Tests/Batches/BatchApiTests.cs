using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Persistence.Query;
using Orchestrator.Persistence;
using Akka.Streams;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Batches;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Batches;

/// <summary><c>/v1/batches</c> as an operator pushing a file of prompts uses it.</summary>
public sealed class BatchApiTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.3, ImageMaxSeconds = 0.8 })
{
    private static string Line(int i, int count = 1) =>
        JsonSerializer.Serialize(new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = $"prompt {i}", count, metadata = new { n = i.ToString() } });

    private Task<HttpResponseMessage> UploadAsync(string body, string contentType = "application/x-ndjson", string query = "") =>
        Server.Http.PostAsync("/v1/batches" + query, new StringContent(body, Encoding.UTF8, contentType));

    [Fact]
    public async Task Each_line_is_judged_alone_valid_ones_run_and_results_stream_as_json_lines()
    {
        var lines = Enumerable.Range(1, 10).Select(i => i switch { 3 => Line(i, count: 99), 7 => "{not json", _ => Line(i) }).ToList();
        lines.Insert(5, ""); // a blank line counts as a line but is no task
        var response = await UploadAsync(string.Join("\n", lines) + "\n");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = answer.GetProperty("batchId").GetString()!;
        Assert.Equal(8, answer.GetProperty("accepted").GetInt32());
        var rejected = answer.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([3, 8], rejected.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal("count", rejected[0].GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("body", rejected[1].GetProperty("errors")[0].GetProperty("field").GetString());

        var done = await Eventually.Until(() => Server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{batchId}"),
            b => b.GetProperty("ended").GetInt32() == 8, TimeSpan.FromSeconds(60), "the batch to end");
        Assert.Equal(8, done.GetProperty("counts").GetProperty("succeeded").GetInt32());
        Assert.Equal(2, done.GetProperty("rejected").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("completedAt").ValueKind);

        var results = await Server.Http.GetAsync($"/v1/batches/{batchId}/results");
        Assert.Equal("application/x-ndjson", results.Content.Headers.ContentType?.MediaType);
        var views = (await results.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<TaskView>(l, OrchestratorServer.Json)!).ToList();
        Assert.Equal([1, 2, 4, 5, 7, 9, 10, 11], views.Select(v => v.BatchLine!.Value));
        Assert.All(views, v => Assert.Equal(TaskLifecycle.Succeeded, v.Status));
        Assert.All(views, v => Assert.Equal(batchId, v.BatchId));
        Assert.Equal(TaskLifecycle.Succeeded, (await Server.GetAsync(views[0].Id)).Status);
    }

    [Fact]
    public async Task A_json_array_works_too()
    {
        var response = await UploadAsync("[" + string.Join(",", Enumerable.Range(1, 3).Select(i => Line(i))) + "]", "application/json");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task An_atomic_batch_with_a_bad_line_runs_nothing()
    {
        var before = Sim.Sim.Stats().Submits;
        var response = await UploadAsync(string.Join("\n", Line(1), Line(2, count: 99), Line(3)), query: "?atomic=true");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("batchId").ValueKind);
        Assert.Equal(0, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(2, answer.GetProperty("rejected")[0].GetProperty("line").GetInt32());
        // A good batch after it runs: had the atomic one leaked tasks, they would be submitted before this one ends.
        var good = await (await UploadAsync(Line(9))).Content.ReadFromJsonAsync<JsonElement>();
        await Eventually.Until(() => Server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{good.GetProperty("batchId").GetString()}"),
            b => b.GetProperty("ended").GetInt32() == 1, TimeSpan.FromSeconds(30), "the good batch");
        Assert.Equal(1, Sim.Sim.Stats().Submits - before);
    }

    [Fact]
    public async Task Unknown_batches_are_404_and_a_body_that_is_not_json_is_400()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetAsync($"/v1/batches/{TaskIds.New()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.DeleteAsync("/v1/batches/nope")).StatusCode);
        var bad = await UploadAsync("{\"not\": \"an array\"}", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    [InlineData(200, "")] // curl --data @prompts.jsonl: the newlines stripped
    [InlineData(200, " ")] // echo $(cat prompts.jsonl): newlines turned into spaces
    [InlineData(3000, "")] // longer than a line may be: refused before the body is read whole
    public async Task A_body_whose_lines_cannot_be_told_apart_is_refused_whole_with_the_curl_hint_and_nothing_is_created(int count, string between)
    {
        var response = await UploadAsync(string.Join(between, Enumerable.Range(1, count).Select(i => Line(i))));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("could not be told apart", detail);
        Assert.Contains("--data-binary", detail);
        Assert.Contains("--data-binary", problem.GetProperty("errors").GetProperty("body")[0].GetString());
        if (count == 200) Assert.Contains("200 JSON values", detail);

        Assert.Empty((await Server.Http.GetFromJsonAsync<JsonElement>("/v1/tasks")).GetProperty("items").EnumerateArray());
        Assert.Equal(0, await BatchEventsJournaledAsync());
        Assert.Equal(0, Sim.Sim.Stats().Submits);
    }

    [Fact]
    public async Task A_line_with_anything_after_its_json_value_is_rejected_with_its_line_number_and_the_others_run()
    {
        var body = string.Join("\n", Line(1), Line(2) + " trailing garbage", Line(3), Line(4) + Line(5), Line(6) + "  \r");
        var response = await UploadAsync(body + "\n");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, answer.GetProperty("accepted").GetInt32());
        var rejected = answer.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([2, 4], rejected.Select(r => r.GetProperty("line").GetInt32()));
        var garbage = rejected[0].GetProperty("errors")[0];
        Assert.Equal("body", garbage.GetProperty("field").GetString());
        Assert.Contains("trailing garbage", garbage.GetProperty("message").GetString());
        Assert.Contains("another JSON value", rejected[1].GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Cancelling_a_batch_whose_tasks_all_ended_is_a_409_with_its_counts_and_leaves_it_not_cancelled()
    {
        var accepted = await (await UploadAsync(string.Join("\n", Line(1), Line(2)))).Content.ReadFromJsonAsync<JsonElement>();
        var batchId = accepted.GetProperty("batchId").GetString()!;
        await Eventually.Until(() => Server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{batchId}"),
            b => b.GetProperty("ended").GetInt32() == 2, TimeSpan.FromSeconds(30), "the batch to end");

        var cancel = await Server.Http.DeleteAsync($"/v1/batches/{batchId}");

        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Equal("application/problem+json", cancel.Content.Headers.ContentType?.MediaType);
        var problem = await cancel.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("already ended", problem.GetProperty("detail").GetString());
        Assert.Contains("2 succeeded", problem.GetProperty("detail").GetString());
        Assert.Equal(2, problem.GetProperty("counts").GetProperty("succeeded").GetInt32());
        var after = await Server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{batchId}");
        Assert.False(after.GetProperty("cancelled").GetBoolean());
        Assert.Equal(2, after.GetProperty("counts").GetProperty("succeeded").GetInt32());
    }

    private async Task<int> BatchEventsJournaledAsync()
    {
        var system = Server.Services.GetRequiredService<ActorSystem>();
        var events = await OrchestratorPersistence.ReadJournal(system)
            .CurrentEventsByTag(BatchActor.JournalTag, Offset.NoOffset()).RunAggregate(0, (n, _) => n + 1, system.Materializer());
        return events;
    }
}
