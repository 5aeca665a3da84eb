using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>How large a body each endpoint reads, over real HTTP: a task is one small object, a batch streams.</summary>
public sealed class RequestBodyLimitTests() : ServerTest(new SimulatorOptions())
{
    /// <summary>The most <c>POST /v1/tasks</c> reads, as the README documents it.</summary>
    private const int OneMiB = 1024 * 1024;

    private static byte[] TaskOfBytes(int size)
    {
        var task = JsonSerializer.Serialize(Requests.Image("a cat"));
        // A long prompt pads the task to the size asked for; it is the limit, not the prompt's own rule, that refuses it.
        return Encoding.UTF8.GetBytes(task.Replace("\"a cat\"", "\"" + new string('x', size - task.Length + 5) + "\""));
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    private async Task AssertNothingPersistedAsync() =>
        Assert.Empty((await Server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks"))!["items"]!.AsArray());

    [Fact]
    public async Task A_task_body_over_one_MiB_is_a_413_problem_naming_the_limit_and_nothing_is_persisted()
    {
        var body = TaskOfBytes(2 * OneMiB);
        Assert.Equal(2 * OneMiB, body.Length);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        // As curl does for a large body: the server refuses it by its Content-Length before a byte of it is sent.
        request.Headers.ExpectContinue = true;

        var problem = await ProblemAsync(await Server.Http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("Request body too large", (string?)problem["title"]);
        Assert.Equal((long?)OneMiB, (long?)problem["limit"]);
        Assert.Contains("POST /v1/tasks", (string?)problem["detail"]);
        Assert.Contains("1 MiB", (string?)problem["detail"]);
        await AssertNothingPersistedAsync();
    }

    [Fact]
    public async Task A_task_body_sent_without_a_length_is_refused_with_413_once_it_passes_the_limit()
    {
        // Chunked: the size is known only as the body arrives, so the limit stops the read half-way.
        var content = new StreamContent(new MemoryStream(TaskOfBytes(OneMiB + 1)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var problem = await ProblemAsync(await Server.Http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal((long?)OneMiB, (long?)problem["limit"]);
        await AssertNothingPersistedAsync();
    }

    [Fact]
    public async Task A_task_body_just_under_the_limit_is_read_and_judged_by_its_fields()
    {
        var response = await Server.Http.PostAsync("/v1/tasks",
            new ByteArrayContent(TaskOfBytes(OneMiB)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("At most 2500 characters", (string?)problem["errors"]?["prompt"]?[0]);
    }

    [Fact]
    public async Task A_callback_body_over_256_KiB_is_a_413_problem_naming_the_limit()
    {
        var id = await Server.SubmitForIdAsync(Requests.Image("a cat"));
        var token = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Orchestrator.Callbacks.CallbackTokens>(Server.Services).Token(id);
        var body = "{\"task_id\":\"" + new string('x', 256 * 1024) + "\"}";

        var response = await Server.Http.PostAsync($"/v1/callbacks/simulator/{id}?token={token}", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal((long?)(256 * 1024), (long?)problem["limit"]);
    }

    [Fact]
    public async Task A_batch_larger_than_a_task_body_is_read_to_its_last_line()
    {
        // About 1.5 MiB of JSON Lines whose last line is wrong: atomic, so it is read whole and nothing is created.
        var line = JsonSerializer.Serialize(Requests.Image(new string('p', 250)));
        var lines = Enumerable.Repeat(line, 6000).Append("""{"provider":"simulator"}""").ToList();
        var body = string.Join("\n", lines);
        Assert.True(body.Length > 1.4 * OneMiB);

        var response = await Server.Http.PostAsync("/v1/batches?atomic=true",
            new StringContent(body, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(6001, (int)answer["rejected"]![0]!["line"]!);
        await AssertNothingPersistedAsync();
    }
}
