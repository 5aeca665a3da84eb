using Orchestrator.Simulator;
using Orchestrator.Tests.Support;
using Orchestrator.Tests.Webhooks;

namespace Orchestrator.Tests.Relay;

/// <summary>
/// Kling's callback protocol through the relay: a client's <c>callback_url</c> receives the bare task object on every
/// status change (submitted, processing, then succeed or failed), in order, each once, with our webhook retries and
/// across a restart. Kling-style routes run on an account that fails every task; DMXAPI-style ones on one that succeeds.
/// </summary>
public sealed class RelayCallbackTests() : ServerTest(new SimulatorOptions
{
    // Long enough that a poll (at most 1 s apart on test servers) sees each task running.
    ImageMinSeconds = 3, ImageMaxSeconds = 4,
    Accounts = [new() { Name = "dmxapi", Protocol = SimulatedProtocols.Dmxapi }, new() { Name = "failing", Protocol = SimulatedProtocols.Dmxapi, ApiKey = "failing-key", FailureRate = 1 }],
})
{
    private RelayClient Client => new(Server);

    protected override string[] ServerArgs =>
    [
        "--Orchestrator:Providers:failing:Type=dmxapi", $"--Orchestrator:Providers:failing:BaseUrl={Sim.BaseUrl}", "--Orchestrator:Providers:failing:ApiKey=failing-key",
        "--Orchestrator:Relay:Kling:Account=failing",
        // Attempts a second apart, for a minute: a refusing receiver is retried within a test's patience.
        .. Enumerable.Range(0, 60).Select(i => $"--Orchestrator:Webhooks:RetryScheduleSeconds:{i}={(i == 0 ? 0 : 1)}"),
    ];

    private static Task<WebhookReceiver> Receiver() => WebhookReceiver.StartAsync("whsec_" + Convert.ToBase64String(new byte[32]));

    /// <summary>The statuses <paramref name="receiver"/> accepted for <paramref name="taskId"/>, in arrival order, once it accepted an end.</summary>
    private static async Task<List<string>> StatusesUntilEnd(WebhookReceiver receiver, string taskId, int timeoutSeconds = 60)
    {
        var accepted = await Eventually.Until(() => Task.FromResult(receiver.Accepted.Where(r => r.Json?["task_id"]?.GetValue<string>() == taskId).ToList()),
            r => r.Any(x => x.Json!["task_status"]!.GetValue<string>() is "succeed" or "failed"), TimeSpan.FromSeconds(timeoutSeconds), $"{taskId}'s end");
        // Nothing more comes after the end (each state once).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        accepted = receiver.Accepted.Where(r => r.Json?["task_id"]?.GetValue<string>() == taskId).ToList();
        Assert.All(accepted, r => Assert.Null(r.Json!["code"])); // bare task objects, as Kling posts them
        Assert.Equal(accepted.Count, accepted.DistinctBy(r => r.WebhookId).Count());
        return accepted.Select(r => r.Json!["task_status"]!.GetValue<string>()).ToList();
    }

    [Fact]
    public async Task A_callback_url_receives_submitted_then_processing_then_succeed_each_once()
    {
        await using var receiver = await Receiver();
        var created = await Client.PostAsync("/kling/v1/images/generations", new { model_name = "kling-v1-5", prompt = "every state", callback_url = receiver.Url });
        var id = created.Body["data"]!["task_id"]!.GetValue<string>();

        Assert.Equal(["submitted", "processing", "succeed"], await StatusesUntilEnd(receiver, id));
        var last = receiver.Accepted.Last(r => r.Json?["task_id"]?.GetValue<string>() == id).Json!;
        Assert.Single(last["task_result"]!["images"]!.AsArray());
    }

    [Fact]
    public async Task A_task_that_fails_ends_its_callbacks_with_failed_and_the_reason()
    {
        await using var receiver = await Receiver();
        var created = await Client.PostAsync("/v1/images/generations", new { model_name = "kling-v1-5", prompt = "doomed", callback_url = receiver.Url });
        var id = created.Body["data"]!["task_id"]!.GetValue<string>();

        Assert.Equal(["submitted", "processing", "failed"], await StatusesUntilEnd(receiver, id));
        var last = receiver.Accepted.Last(r => r.Json?["task_id"]?.GetValue<string>() == id).Json!;
        Assert.Contains("risk control", last["task_status_msg"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_receiver_that_refuses_at_first_still_gets_every_state_in_order_after_retries()
    {
        await using var receiver = await Receiver();
        receiver.Answer = n => n <= 3 ? (503, null) : (200, null);
        var created = await Client.PostAsync("/kling/v1/images/generations", new { model_name = "kling-v1-5", prompt = "try again", callback_url = receiver.Url });
        var id = created.Body["data"]!["task_id"]!.GetValue<string>();

        Assert.Equal(["submitted", "processing", "succeed"], await StatusesUntilEnd(receiver, id));
        Assert.Equal(3, receiver.Requests.Count(r => r.Status == 503));
    }

    [Fact]
    public async Task State_changes_a_refusing_receiver_missed_are_delivered_in_order_after_a_restart()
    {
        await using var receiver = await Receiver();
        var open = new TaskCompletionSource();
        receiver.Answer = _ => open.Task.IsCompleted ? (200, null) : (503, null);
        var created = await Client.PostAsync("/kling/v1/images/generations", new { model_name = "kling-v1-5", prompt = "outlive me", callback_url = receiver.Url });
        var id = created.Body["data"]!["task_id"]!.GetValue<string>();
        await Server.WaitForEndAsync(id);

        await RestartServerAsync();
        open.SetResult();

        Assert.Equal(["submitted", "processing", "succeed"], await StatusesUntilEnd(receiver, id));
    }

    [Fact]
    public async Task A_task_submitted_through_our_own_API_keeps_the_completion_payload_alone()
    {
        await using var receiver = await Receiver();
        var id = await Server.SubmitForIdAsync(Requests.Image("ours", ("webhookUrl", receiver.Url)));
        await Server.WaitForEndAsync(id);

        var received = await Eventually.Until(() => Task.FromResult(receiver.Accepted), r => r.Count >= 1, TimeSpan.FromSeconds(30), "the completion");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var only = Assert.Single(receiver.Accepted);
        Assert.Equal(("task.succeeded", id), (only.Type, only.TaskId));
    }
}
