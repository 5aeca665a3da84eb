using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Events;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Orchestrator.Webhooks;
using static Orchestrator.Tests.Webhooks.WebhookTestServer;

namespace Orchestrator.Tests.Webhooks;

/// <summary>
/// A service that must learn of every finished task: a real orchestrator, the simulator and a receiver on loopback that
/// verifies every signature. Retries are fast here (a short schedule), never slept on: every wait is for a condition.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;

    public async Task InitializeAsync() =>
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 1.0, FailureRate = 0.25 });

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        _dir.Dispose();
    }

    private Task<OrchestratorServer> StartAsync(params string[] extra) =>
        OrchestratorServer.StartAsync(_dir.SqliteConnectionString(), _sim.BaseUrl, [AllowPrivate, .. extra]);

    [Fact]
    public async Task Every_delivery_is_signed_and_while_the_receiver_answers_500_retries_bring_every_task_exactly_once_after_dedupe()
    {
        await using var server = await StartAsync(Schedule(0, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2));
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        receiver.Answer = n => n <= 6 ? (500, null) : (200, null);
        var (id, secret) = await RegisterAsync(server, receiver.Url);
        receiver.Secret = secret;

        var tasks = await SubmitAsync(server, 8, "signed");
        await WaitForAllAsync(receiver, tasks);
        await Eventually.Until(() => DeliveriesAsync(server, id), items => items.Count == 0, TimeSpan.FromSeconds(30), "retried deliveries to be settled");

        var requests = receiver.Requests;
        Assert.All(requests, r => Assert.True(r.SignatureValid, $"request {r.Number} has a valid signature"));
        Assert.Equal(6, requests.Count(r => r.Status == 500));
        // Every refused delivery came again with the same webhook-id and the same body, and was then accepted.
        foreach (var failed in requests.Where(r => r.Status == 500))
            Assert.Contains(receiver.Accepted, ok => ok.WebhookId == failed.WebhookId && ok.Body == failed.Body);
        Assert.All(requests.GroupBy(r => r.WebhookId), g => Assert.Single(g.Select(r => r.Body).Distinct()));
        // After dropping repeats by webhook-id, each task arrived exactly once.
        Assert.Equal(tasks.Order(), receiver.AcceptedTaskIds.Order());
        foreach (var r in receiver.Accepted.DistinctBy(r => r.WebhookId))
        {
            var view = await server.GetAsync(r.TaskId!);
            Assert.Equal(TaskCompletion.TypeFor(view.Status), r.Type);
            Assert.Equal(view.Status.WireName(), r.Json!["data"]!["status"]!.GetValue<string>());
            Assert.StartsWith(view.Id + ".", r.WebhookId);
            Assert.NotNull(r.Json["timestamp"]);
        }
    }

    [Fact]
    public async Task A_new_endpoint_receives_what_ends_after_its_registration_not_the_past()
    {
        await using var server = await StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        var past = await SubmitAsync(server, 3, "before registration");
        foreach (var t in past) await server.WaitForEndAsync(t);
        (_, receiver.Secret) = await RegisterAsync(server, receiver.Url, events: ["task.succeeded", "task.failed"]);
        var later = await SubmitAsync(server, 3, "after registration");
        await WaitForAllAsync(receiver, later);
        Assert.Equal(later.Order(), receiver.AcceptedTaskIds.Order());
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
    }

    [Fact]
    public async Task An_events_filter_passes_only_the_types_asked_for()
    {
        await using var server = await StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        (_, receiver.Secret) = await RegisterAsync(server, receiver.Url, events: ["task.cancelled"]);
        var ended = await SubmitAsync(server, 2, "runs to its end");
        foreach (var t in ended) await server.WaitForEndAsync(t);
        // A video takes the simulator 5 s or more: it is cancelled while it runs.
        var video = await server.SubmitAsync(Requests.Image("cancelled", ("kind", "text-to-video"), ("model", "kling-v1-6")));
        var cancelled = new List<string> { (await video.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id };
        Assert.Equal(HttpStatusCode.Accepted, (await server.Http.DeleteAsync($"/v1/tasks/{cancelled[0]}")).StatusCode);
        await WaitForAllAsync(receiver, cancelled);
        Assert.Equal(cancelled, receiver.AcceptedTaskIds);
        Assert.Equal("task.cancelled", receiver.Accepted[0].Type);
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_nothing_more_reaches_it_and_enabling_it_delivers_what_it_missed()
    {
        await using var server = await StartAsync(Schedule(0, 0.2, 0.2));
        await using var gone = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        await using var control = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        gone.Answer = _ => (410, null);
        var (goneId, goneSecret) = await RegisterAsync(server, gone.Url);
        var (_, controlSecret) = await RegisterAsync(server, control.Url);
        (gone.Secret, control.Secret) = (goneSecret, controlSecret);

        var first = await SubmitAsync(server, 1, "gone");
        var disabled = await Eventually.Until(() => EndpointAsync(server, goneId), e => !e["enabled"]!.GetValue<bool>(), TimeSpan.FromSeconds(30), "the endpoint to be disabled");
        Assert.Equal("410 Gone", disabled["disabledReason"]!.GetValue<string>());
        Assert.Equal(1, gone.RequestCount);

        // The control endpoint receiving the later completions shows they were read; the disabled one got none of them.
        var later = await SubmitAsync(server, 3, "after gone");
        await WaitForAllAsync(control, first.Concat(later));
        Assert.Equal(1, gone.RequestCount);
        var waiting = Assert.Single(await DeliveriesAsync(server, goneId));
        Assert.Equal(("pending", 410), (waiting!["state"]!.GetValue<string>(), waiting["lastStatus"]!.GetValue<int>()));

        gone.Answer = _ => (200, null);
        var enabled = await server.Http.PostAsync($"/v1/webhooks/{goneId}/enable", null);
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.True((await enabled.Content.ReadFromJsonAsync<JsonNode>())!["enabled"]!.GetValue<bool>());
        await WaitForAllAsync(gone, first.Concat(later));
        Assert.All(gone.Requests, r => Assert.True(r.SignatureValid));
        Assert.Equal(first.Concat(later).Order(), gone.AcceptedTaskIds.Order());
    }

    [Fact]
    public async Task Deliveries_that_exhaust_the_schedule_are_listed_as_failed_and_arrive_when_replayed()
    {
        await using var server = await StartAsync(Schedule(0, 0.1, 0.1));
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        receiver.Answer = _ => (503, "0");
        var (id, secret) = await RegisterAsync(server, receiver.Url, events: ["*"]);
        receiver.Secret = secret;

        var tasks = await SubmitAsync(server, 3, "exhausted");
        var failed = await Eventually.Until(() => DeliveriesAsync(server, id, "failed"), items => items.Count == 3, TimeSpan.FromSeconds(60), "three failed deliveries");
        Assert.Equal(tasks.Order(), failed.Select(d => d!["taskId"]!.GetValue<string>()).Order());
        Assert.All(failed, d =>
        {
            Assert.Equal(3, d!["attempts"]!.GetValue<int>());
            Assert.Equal(503, d["lastStatus"]!.GetValue<int>());
            Assert.Null(d["nextAttemptAt"]);
        });
        Assert.Equal(9, receiver.RequestCount);

        receiver.Answer = _ => (200, null);
        var one = failed[0]!;
        var replayOne = await server.Http.PostAsync($"/v1/webhooks/{id}/deliveries/{one["eventId"]!.GetValue<string>()}/replay", null);
        Assert.Equal(HttpStatusCode.Accepted, replayOne.StatusCode);
        Assert.Equal(1, (await replayOne.Content.ReadFromJsonAsync<JsonNode>())!["replayed"]!.GetValue<int>());
        await WaitForAllAsync(receiver, [one["taskId"]!.GetValue<string>()]);
        await Eventually.Until(() => DeliveriesAsync(server, id), items => items.Count == 2, TimeSpan.FromSeconds(30), "the replayed delivery to be settled");

        var replayAll = await server.Http.PostAsync($"/v1/webhooks/{id}/replay", null);
        Assert.Equal(2, (await replayAll.Content.ReadFromJsonAsync<JsonNode>())!["replayed"]!.GetValue<int>());
        await WaitForAllAsync(receiver, tasks);
        await Eventually.Until(() => DeliveriesAsync(server, id), items => items.Count == 0, TimeSpan.FromSeconds(30), "all deliveries to be settled");
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
        Assert.Equal(tasks.Order(), receiver.AcceptedTaskIds.Order());

        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.PostAsync($"/v1/webhooks/{id}/deliveries/nope.1/replay", null)).StatusCode);
        Assert.Equal(0, (await (await server.Http.PostAsync($"/v1/webhooks/{id}/replay", null)).Content.ReadFromJsonAsync<JsonNode>())!["replayed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_tasks_own_webhookUrl_receives_its_completion_signed_with_the_task_secret_which_survives_a_restart()
    {
        string secret;
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        await using (var server = await StartAsync())
        {
            secret = (await server.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!["secret"]!.GetValue<string>();
            receiver.Secret = secret;
            var mine = await SubmitAsync(server, 2, "own url", receiver.Url);
            Assert.Equal(receiver.Url, (await server.GetAsync(mine[0])).WebhookUrl);
            await WaitForAllAsync(receiver, mine);

            // A task without a webhookUrl is not sent there: once a later task's delivery arrives, the earlier one was passed over.
            var without = await SubmitAsync(server, 1, "no url");
            await server.WaitForEndAsync(without[0]);
            var after = await SubmitAsync(server, 1, "own url again", receiver.Url);
            await WaitForAllAsync(receiver, after);
            Assert.Equal(mine.Concat(after).Order(), receiver.AcceptedTaskIds.Order());
            Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
            Assert.All(receiver.Accepted, r => Assert.Equal(receiver.Url, r.Json!["data"]!["webhookUrl"]!.GetValue<string>()));
        }
        await using (var server = await StartAsync())
            Assert.Equal(secret, (await server.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!["secret"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_configured_task_webhook_secret_signs_per_task_deliveries()
    {
        var configured = WebhookSignature.NewSecret();
        await using var server = await StartAsync($"--Orchestrator:Webhooks:TaskWebhookSecret={configured}");
        await using var receiver = await WebhookReceiver.StartAsync(configured);
        Assert.Equal(configured, (await server.Http.GetFromJsonAsync<JsonNode>("/v1/webhooks/task-secret"))!["secret"]!.GetValue<string>());
        var ids = await SubmitAsync(server, 1, "configured", receiver.Url);
        await WaitForAllAsync(receiver, ids);
        Assert.True(receiver.Requests[0].SignatureValid);
    }

    [Fact]
    public async Task After_a_restart_deliveries_continue_and_nothing_is_lost()
    {
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        // Some deliveries fail before the restart, so some are pending (journaled) when the process stops.
        receiver.Answer = n => n is >= 3 and <= 8 ? (500, null) : (200, null);
        string[] settings = [.. Schedule(0, 1, 1, 1, 1, 1, 1, 1), "--Orchestrator:Webhooks:SnapshotEveryEvents=3"];
        List<string> tasks;
        string id;
        await using (var server = await StartAsync(settings))
        {
            (id, receiver.Secret) = await RegisterAsync(server, receiver.Url);
            tasks = await SubmitAsync(server, 10, "before restart");
            await Eventually.Until(() => DeliveriesAsync(server, id, "pending"), items => items.Count > 0, TimeSpan.FromSeconds(60), "a pending delivery");
            // Stops with tasks in flight, deliveries pending and completions not yet read.
        }
        await using (var server = await StartAsync(settings))
        {
            tasks.AddRange(await SubmitAsync(server, 5, "after restart"));
            await WaitForAllAsync(receiver, tasks, seconds: 90);
            await Eventually.Until(() => DeliveriesAsync(server, id), items => items.Count == 0, TimeSpan.FromSeconds(30), "pending deliveries to be settled");
            Assert.True((await EndpointAsync(server, id))["enabled"]!.GetValue<bool>());
        }
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
        Assert.Equal(tasks.Order(), receiver.AcceptedTaskIds.Order());
        // At-least-once: a repeat carries the same webhook-id and body as the first.
        Assert.All(receiver.Requests.GroupBy(r => r.WebhookId), g => Assert.Single(g.Select(r => r.Body).Distinct()));
    }
}
