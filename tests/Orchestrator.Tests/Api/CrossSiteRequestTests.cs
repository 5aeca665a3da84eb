using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>
/// A web page open in the operator's browser can send requests to a server on 127.0.0.1: a "simple" cross-site request
/// (<c>text/plain</c>, no preflight) carries a JSON body all the same. Such requests must change nothing.
/// </summary>
public sealed class CrossSiteRequestTests() : ServerTest(new SimulatorOptions())
{
    private static readonly string Task = JsonSerializer.Serialize(Requests.Image("a cat"));
    private const string Webhook = """{"url":"https://hooks.example.com/in"}""";

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string contentType, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await Server.Http.SendAsync(request);
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    private async Task AssertNothingCreatedAsync()
    {
        Assert.Empty((await Server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks"))!["items"]!.AsArray());
        // The built-in endpoint for per-task webhookUrls is always listed; no registered one may be.
        Assert.DoesNotContain((await Server.Http.GetFromJsonAsync<JsonObject>("/v1/webhooks"))!["items"]!.AsArray(),
            e => (string?)e!["url"] == "https://hooks.example.com/in");
    }

    [Fact]
    public async Task A_webhook_registration_sent_as_plain_text_is_a_415_naming_the_content_type_and_registers_nothing()
    {
        var problem = await ProblemAsync(await PostAsync("/v1/webhooks", Webhook, "text/plain"), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("text/plain", (string?)problem["detail"]);
        Assert.Contains("application/json", (string?)problem["detail"]);
        await AssertNothingCreatedAsync();
    }

    [Fact]
    public async Task A_batch_sent_as_plain_text_with_a_json_lines_parameter_is_a_415()
    {
        // text/plain with any parameters is what a page may send without asking first.
        await ProblemAsync(await PostAsync("/v1/batches", Task, "text/plain; x=ndjson"), HttpStatusCode.UnsupportedMediaType);
        await AssertNothingCreatedAsync();
    }

    [Fact]
    public async Task Requests_from_another_origin_are_403_whatever_their_content_type_and_create_nothing()
    {
        const string evil = "http://evil.example";
        var task = await ProblemAsync(await PostAsync("/v1/tasks", Task, "application/json", ("Origin", evil)), HttpStatusCode.Forbidden);
        Assert.Contains(evil, (string?)task["detail"]);
        await ProblemAsync(await PostAsync("/v1/webhooks", Webhook, "application/json", ("Origin", evil)), HttpStatusCode.Forbidden);
        await ProblemAsync(await PostAsync("/v1/batches", Task, "application/x-ndjson", ("Origin", evil)), HttpStatusCode.Forbidden);
        // Another port of the same machine is another origin too (a dev server on localhost:3000).
        await ProblemAsync(await PostAsync("/v1/tasks", Task, "application/json", ("Origin", "http://127.0.0.1:3000")), HttpStatusCode.Forbidden);
        // A browser that sends no Origin still says where the request comes from.
        await ProblemAsync(await PostAsync("/v1/tasks", Task, "application/json", ("Sec-Fetch-Site", "cross-site")), HttpStatusCode.Forbidden);
        using var read = new HttpRequestMessage(HttpMethod.Get, "/v1/webhooks/task-secret");
        read.Headers.TryAddWithoutValidation("Origin", evil);
        Assert.Equal(HttpStatusCode.Forbidden, (await Server.Http.SendAsync(read)).StatusCode);
        await AssertNothingCreatedAsync();
    }

    [Fact]
    public async Task Requests_from_the_servers_own_origin_and_from_clients_without_one_are_served()
    {
        var own = Server.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("/v1/tasks", Task, "application/json", ("Origin", own), ("Sec-Fetch-Site", "same-origin"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("/v1/tasks", Task, "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/v1/webhooks", Webhook, "application/json; charset=utf-8")).StatusCode);
    }
}
