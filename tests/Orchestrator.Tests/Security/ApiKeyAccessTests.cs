using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Security;

/// <summary>Who may call what on a server with API keys: 401 without a valid key, 403 for a role that falls short.</summary>
public sealed class ApiKeyAccessTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5 })
{
    protected override string[] ServerArgs => Keys.ServerArgs;

    [Fact]
    public async Task Without_a_valid_key_every_route_is_a_401_with_a_Bearer_challenge_except_healthz_and_provider_callbacks()
    {
        using var wrong = Keys.Client(Server, "not-a-configured-key-000000");
        foreach (var (method, path) in new[] { ("GET", "/v1/tasks"), ("POST", "/v1/tasks"), ("GET", "/v1/providers"), ("GET", "/v1/events"),
                     ("GET", "/v1/webhooks"), ("GET", "/v1/webhooks/task-secret"), ("POST", "/v1/batches"), ("GET", "/v1/no-such-route") })
        {
            foreach (var (client, challenge) in new[] { (Server.Http, "Bearer"), (wrong, "Bearer error=\"invalid_token\"") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST") request.Content = JsonContent.Create(Requests.Image("no key"));
                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {response.StatusCode}");
                Assert.Equal(challenge, response.Headers.WwwAuthenticate.ToString());
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
                Assert.Equal(401, problem["status"]!.GetValue<int>());
            }
        }
        // Nothing was accepted for the refused submits.
        using var admin = Keys.Client(Server, Keys.Admin);
        Assert.Empty((await admin.GetFromJsonAsync<JsonNode>("/v1/tasks"))!["items"]!.AsArray());

        Assert.Equal(HttpStatusCode.OK, (await Server.Http.GetAsync("/healthz")).StatusCode);
        // The callback route answers for itself: its own token is checked, not an API key.
        var callback = await Server.Http.PostAsJsonAsync($"/v1/callbacks/simulator/{new string('a', 32)}?token=forged", new { });
        Assert.Equal(HttpStatusCode.Unauthorized, callback.StatusCode);
        Assert.Equal("Bad callback token", (await callback.Content.ReadFromJsonAsync<JsonNode>())!["title"]!.GetValue<string>());
        Assert.Empty(callback.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task A_read_key_may_only_read_and_a_submit_key_gets_403_on_admin_routes()
    {
        using var read = Keys.Client(Server, Keys.AcmeRead);
        using var submit = Keys.Client(Server, Keys.AcmeSubmit);
        using var admin = Keys.Client(Server, Keys.Admin);

        var refused = await read.PostAsJsonAsync("/v1/tasks", Requests.Image("read key"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("submit", problem["required"]!.GetValue<string>());
        Assert.Equal("read", problem["role"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await read.PostAsJsonAsync("/v1/webhooks", new { url = "https://hooks.example.com/x" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/v1/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/v1/providers")).StatusCode);

        var id = (await (await submit.PostAsJsonAsync("/v1/tasks", Requests.Image("submit key"))).Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Forbidden, (await read.DeleteAsync($"/v1/tasks/{id}")).StatusCode);

        // The secret that signs every tenant's per-task webhooks, and replays, are the operator's.
        Assert.Equal(HttpStatusCode.Forbidden, (await submit.GetAsync("/v1/webhooks/task-secret")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await submit.PostAsync("/v1/webhooks/task-webhooks/replay", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await submit.PostAsync("/v1/webhooks/task-webhooks/deliveries/x/replay", null)).StatusCode);
        var secret = (await admin.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!;
        Assert.StartsWith("whsec_", secret["secret"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/v1/webhooks/task-webhooks/replay", null)).StatusCode);

        // Diagnostics see every tenant's tasks: the operator's too.
        Assert.Equal(HttpStatusCode.Forbidden, (await submit.GetAsync("/v1/admin/stuck")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/admin/stuck")).StatusCode);
    }
}
