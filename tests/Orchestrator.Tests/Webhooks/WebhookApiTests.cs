using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Orchestrator.Webhooks;
using static Orchestrator.Tests.Webhooks.WebhookTestServer;

namespace Orchestrator.Tests.Webhooks;

/// <summary>
/// <c>/v1/webhooks</c> as a caller uses it, with the policy of a server reachable from outside: internal targets refused.
/// (The test server listens on loopback, where loopback targets would be allowed by default: this turns that off.)
/// </summary>
public sealed class WebhookApiTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;
    private OrchestratorServer _server = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5 });
        _server = await OrchestratorServer.StartAsync(_dir.SqliteConnectionString(), _sim.BaseUrl, "--Orchestrator:Webhooks:AllowLoopbackTargets=false");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _sim.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    private Task<HttpResponseMessage> PostAsync(object body) => _server.Http.PostAsJsonAsync("/v1/webhooks", body);

    [Theory]
    [InlineData("http://127.0.0.1:9999/hook")]
    [InlineData("http://localhost:9999/hook")]
    [InlineData("http://10.0.0.7/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("ftp://hooks.example.com/")]
    [InlineData("not a url")]
    public async Task Internal_and_non_http_targets_are_a_400_naming_url(string url)
    {
        var problem = await ProblemAsync(await PostAsync(new { url }), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["url"]);
        Assert.Empty((await _server.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task A_task_webhookUrl_on_loopback_is_a_400_naming_webhookUrl_and_nothing_is_persisted()
    {
        var request = Requests.Image("refused", ("webhookUrl", "http://127.0.0.1:8080/cb"));
        var problem = await ProblemAsync(await _server.SubmitAsync(request), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["webhookUrl"]);
        Assert.Empty((await _server.Http.GetFromJsonAsync<JsonNode>("/v1/tasks"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task Bad_events_secret_or_unknown_fields_are_400s_naming_the_field()
    {
        const string url = "https://hooks.example.com/x";
        Assert.NotNull((await ProblemAsync(await PostAsync(new { url, events = new[] { "task.done" } }), HttpStatusCode.BadRequest))["errors"]!["events"]);
        Assert.NotNull((await ProblemAsync(await PostAsync(new { url, events = "task.failed" }), HttpStatusCode.BadRequest))["errors"]!["events"]);
        Assert.NotNull((await ProblemAsync(await PostAsync(new { url, secret = "hunter2" }), HttpStatusCode.BadRequest))["errors"]!["secret"]);
        Assert.NotNull((await ProblemAsync(await PostAsync(new { url, secret = "whsec_" + Convert.ToBase64String(new byte[8]) }), HttpStatusCode.BadRequest))["errors"]!["secret"]);
        Assert.NotNull((await ProblemAsync(await PostAsync(new { url, evnets = new[] { "*" } }), HttpStatusCode.BadRequest))["errors"]!["evnets"]);
        Assert.NotNull((await ProblemAsync(await PostAsync(new { events = new[] { "*" } }), HttpStatusCode.BadRequest))["errors"]!["url"]);
    }

    [Fact]
    public async Task The_secret_is_returned_once_at_registration_and_never_again()
    {
        var given = WebhookSignature.NewSecret();
        var created = await PostAsync(new { url = "https://hooks.example.com/a", events = new[] { "task.succeeded", "task.failed" }, secret = given });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonNode>())!;
        var id = body["id"]!.GetValue<string>();
        Assert.StartsWith("wh_", id);
        Assert.Equal($"/v1/webhooks/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(given, body["secret"]!.GetValue<string>());
        Assert.Equal(["task.succeeded", "task.failed"], body["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.True(body["enabled"]!.GetValue<bool>());

        var generated = (await (await PostAsync(new { url = "https://hooks.example.com/b" })).Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.True(WebhookSignature.TryParseSecret(generated["secret"]!.GetValue<string>(), out _));
        Assert.Equal(["*"], generated["events"]!.AsArray().Select(e => e!.GetValue<string>()));

        var list = await _server.Http.GetStringAsync("/v1/webhooks");
        var one = await _server.Http.GetStringAsync($"/v1/webhooks/{id}");
        foreach (var text in new[] { list, one })
        {
            Assert.DoesNotContain("secret", text);
            Assert.DoesNotContain(given["whsec_".Length..], text);
        }
        Assert.Equal(2, JsonNode.Parse(list)!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Unknown_ids_are_404s_and_a_deleted_endpoint_is_gone()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.GetAsync("/v1/webhooks/wh_nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.GetAsync("/v1/webhooks/wh_nope/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.PostAsync("/v1/webhooks/wh_nope/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.PostAsync("/v1/webhooks/wh_nope/replay", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.PostAsync("/v1/webhooks/wh_nope/deliveries/x.1/replay", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.DeleteAsync("/v1/webhooks/wh_nope")).StatusCode);

        var id = (await (await PostAsync(new { url = "https://hooks.example.com/c" })).Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        Assert.Empty(await DeliveriesAsync(_server, id));
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.Http.GetAsync($"/v1/webhooks/{id}/deliveries?state=lost")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _server.Http.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.GetAsync($"/v1/webhooks/{id}")).StatusCode);
    }

    [Fact]
    public async Task The_built_in_task_webhooks_endpoint_lists_its_deliveries_but_cannot_be_deleted()
    {
        Assert.Equal("task-webhooks", (await EndpointAsync(_server, "task-webhooks"))["id"]!.GetValue<string>());
        Assert.Empty(await DeliveriesAsync(_server, "task-webhooks"));
        Assert.Equal(HttpStatusCode.Conflict, (await _server.Http.DeleteAsync("/v1/webhooks/task-webhooks")).StatusCode);
        var secret = (await _server.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!["secret"]!.GetValue<string>();
        Assert.True(WebhookSignature.TryParseSecret(secret, out _));
    }
}
