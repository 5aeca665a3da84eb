using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Orchestrator.Tests.Webhooks;

namespace Orchestrator.Tests.Relay;

/// <summary>
/// A Kling-style callback's state changes outlive a kill -9: killed while the task runs upstream and its receiver
/// refuses, started again after the upstream finished, the server still posts submitted, processing and succeed, in order.
/// </summary>
public class RelayCallbackCrashTests
{
    [StoreFact]
    public async Task Kill_9_while_the_task_runs_then_restart_still_posts_every_state_in_order()
    {
        using var store = TestStores.For(GetType());
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 3, ImageMaxSeconds = 3.5 });
        await using var receiver = await WebhookReceiver.StartAsync("whsec_" + Convert.ToBase64String(new byte[32]));
        var open = new TaskCompletionSource();
        receiver.Answer = _ => open.Task.IsCompleted ? (200, null) : (503, null);
        var port = ServerProcess.FreePort();
        string[] args =
        [
            .. ServerProcess.ArgsAgainst(store, sim.BaseUrl),
            .. Enumerable.Range(0, 60).Select(i => $"--Orchestrator:Webhooks:RetryScheduleSeconds:{i}={(i == 0 ? 0 : 1)}"),
        ];

        string id;
        using (var server = await ServerProcess.StartAsync(port, args))
        {
            var created = await server.Http.PostAsync("/kling/v1/images/generations",
                new StringContent($$"""{"model_name":"kling-v1-5","prompt":"outlive a crash","callback_url":"{{receiver.Url}}"}""", System.Text.Encoding.UTF8, "application/json"));
            id = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync())!["data"]!["task_id"]!.GetValue<string>();
            // Killed once a poll saw it running, before it ends upstream (3 s) and before the receiver took anything.
            await Eventually.Until(async () => System.Text.Json.Nodes.JsonNode.Parse(await server.Http.GetStringAsync($"/kling/v1/images/generations/{id}"))!["data"]!["task_status"]!.GetValue<string>(),
                s => s != "submitted", TimeSpan.FromSeconds(20), "a poll to see the task running");
            server.KillHard();
        }
        // Started again after the upstream finished: a poll now finds it ended, and could not see "processing" again.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        using var restarted = await ServerProcess.StartAsync(port, args);
        open.SetResult();

        var accepted = await Eventually.Until(() => Task.FromResult(receiver.Accepted.Where(r => r.Json?["task_id"]?.GetValue<string>() == id).DistinctBy(r => r.WebhookId).ToList()),
            r => r.Any(x => x.Json!["task_status"]!.GetValue<string>() == "succeed"), TimeSpan.FromSeconds(60), "the end to be posted");
        Assert.Equal(["submitted", "processing", "succeed"], accepted.Select(r => r.Json!["task_status"]!.GetValue<string>()));
    }
}
