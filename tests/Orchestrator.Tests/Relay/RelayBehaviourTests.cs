using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Orchestrator.Tests.Webhooks;

namespace Orchestrator.Tests.Relay;

/// <summary>
/// What a relay client gets beyond the answers: its callback in the provider's shape, queries that cost the upstream
/// nothing, and, on a server without keys, every credential accepted as tenant <c>default</c>.
/// </summary>
public sealed class RelayBehaviourTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5 })
{
    private RelayClient Client => new(Server);

    [Fact]
    public async Task A_callback_url_receives_Klings_bare_task_object_and_a_Chanjing_callback_its_envelope_once_when_the_task_ends()
    {
        await using var receiver = await WebhookReceiver.StartAsync("whsec_" + Convert.ToBase64String(new byte[32]));
        var kling = await Client.PostAsync("/kling/v1/images/generations", new { model_name = "kling-v1-5", prompt = "call me", callback_url = receiver.Url });
        var klingId = kling.Body["data"]!["task_id"]!.GetValue<string>();
        var token = (await Client.PostAsync("/open/v1/access_token", new { app_id = "a", secret_key = "b" }, authorization: null)).Body["data"]!["access_token"]!.GetValue<string>();
        var chanjing = await Client.PostAsync("/open/v1/ai_creation/task/submit", new { creation_type = 3, model_code = "kling-v2-1", ref_prompt = "call me", callback = receiver.Url }, null, token);
        var chanjingId = chanjing.Body["data"]!.GetValue<string>();

        var received = await Eventually.Until(() => Task.FromResult(receiver.Accepted),
            r => r.Any(x => x.Json?["task_status"]?.GetValue<string>() == "succeed") && r.Any(x => x.Json?["data"] is not null), TimeSpan.FromSeconds(30), "both ends");
        // Kling's callback also gets the changes before the end (RelayCallbackTests); this is its last.
        var klingBody = Assert.Single(received, r => r.Json?["task_id"]?.GetValue<string>() == klingId && r.Json?["task_status"]?.GetValue<string>() == "succeed").Json!;
        Assert.Equal(("succeed", ""), (klingBody["task_status"]!.GetValue<string>(), klingBody["task_status_msg"]!.GetValue<string>()));
        Assert.Null(klingBody["code"]); // bare: no envelope, as Kling posts it
        var url = klingBody["task_result"]!["images"]![0]!["url"]!.GetValue<string>();
        Assert.True((await new HttpClient().GetAsync(url)).IsSuccessStatusCode, url);

        var chanjingBody = Assert.Single(received, r => r.Json?["data"]?["unique_id"]?.GetValue<string>() == chanjingId).Json!;
        Assert.Equal((0, "Success"), (chanjingBody["code"]!.GetValue<int>(), chanjingBody["data"]!["progress_desc"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_client_polling_the_relay_every_second_costs_the_provider_no_query()
    {
        var created = await Client.PostAsync("/kling/v1/images/generations", new { model_name = "kling-v1-5", prompt = "poll me" });
        var id = created.Body["data"]!["task_id"]!.GetValue<string>();
        await Server.WaitForEndAsync(id);
        var before = Sim.Sim.Stats();
        for (var i = 0; i < 20; i++)
            Assert.Equal("succeed", (await Client.GetAsync($"/kling/v1/images/generations/{id}")).Body["data"]!["task_status"]!.GetValue<string>());
        Assert.Equal((before.Submits, before.Polls, before.PageQueries), (Sim.Sim.Stats().Submits, Sim.Sim.Stats().Polls, Sim.Sim.Stats().PageQueries));
    }

    [Fact]
    public async Task Without_API_keys_any_credential_is_accepted_as_tenant_default_and_shows_in_our_own_API()
    {
        var created = await Client.PostAsync("/v1/images/generations", new { model_name = "kling-v1-5", prompt = "open" }, authorization: "Bearer whatever.this.is");
        var id = created.Body["data"]!["task_id"]!.GetValue<string>();
        var view = await Server.GetAsync(id);
        Assert.Equal(("default", "kling"), (view.Metadata!["tenant"], view.Metadata!["relay"]));
        var listed = await Server.Http.GetStringAsync("/v1/tasks");
        Assert.Contains(id, JsonNode.Parse(listed)!["items"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()));
    }
}
