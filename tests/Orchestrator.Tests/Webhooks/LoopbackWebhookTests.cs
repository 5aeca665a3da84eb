using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Orchestrator.Webhooks;
using static Orchestrator.Tests.Webhooks.WebhookTestServer;

namespace Orchestrator.Tests.Webhooks;

/// <summary>
/// A server that listens on loopback only (as the test server does, and the default configuration) can be called from
/// this machine alone, so it takes webhook targets on loopback without any setting; other internal targets stay refused.
/// </summary>
public sealed class LoopbackWebhookTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5 })
{
    [Fact]
    public async Task A_receiver_on_this_machine_gets_its_deliveries_without_allowing_private_targets()
    {
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        var (_, secret) = await RegisterAsync(Server, receiver.Url);
        receiver.Secret = secret;

        var tasks = await SubmitAsync(Server, 2, "loopback", webhookUrl: receiver.Url.Replace("127.0.0.1", "localhost"));
        // Each task arrives twice: at the registered endpoint and at its own webhookUrl.
        await WaitForAllAsync(receiver, tasks);
        await Eventually.Until(() => Task.FromResult(receiver.Accepted.Count), n => n >= 4, TimeSpan.FromSeconds(30), "both deliveries of each task");

        var lan = await Server.Http.PostAsJsonAsync("/v1/webhooks", new { url = "http://10.0.0.7/hook" });
        Assert.Equal(HttpStatusCode.BadRequest, lan.StatusCode);
        Assert.NotNull((await lan.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!["url"]);
    }
}
