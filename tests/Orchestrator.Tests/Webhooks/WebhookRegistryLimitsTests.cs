using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Webhooks;

/// <summary>What keeps webhooks working for everyone: a tenant's endpoints are capped.</summary>
public sealed class WebhookRegistryLimitsTests() : ServerTest(new SimulatorOptions())
{
    protected override string[] ServerArgs => ["--Orchestrator:Webhooks:MaxEndpointsPerTenant=3"];

    private Task<HttpResponseMessage> RegisterAsync(int n) =>
        Server.Http.PostAsJsonAsync("/v1/webhooks", new { url = $"https://hooks.example.com/{n}" });

    [Fact]
    public async Task An_endpoint_past_the_tenants_cap_is_a_409_naming_the_limit_and_is_not_registered()
    {
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(i)).StatusCode);

        var refused = await RegisterAsync(3);
        var text = await refused.Content.ReadAsStringAsync();

        Assert.True(refused.StatusCode == HttpStatusCode.Conflict, $"got {(int)refused.StatusCode}: {text}");
        var problem = JsonNode.Parse(text)!;
        Assert.Contains("MaxEndpointsPerTenant", (string?)problem["detail"]);
        Assert.Equal(3, (int?)problem["limit"]);
        var listed = (await Server.Http.GetFromJsonAsync<JsonObject>("/v1/webhooks"))!["items"]!.AsArray();
        Assert.DoesNotContain(listed, e => (string?)e!["url"] == "https://hooks.example.com/3");
    }
}
