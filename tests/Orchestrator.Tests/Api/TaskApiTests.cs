using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>The HTTP contract, driven as curl would: real server, real SQLite file (PostgreSQL database in a subclass), simulator on its own port.</summary>
public class TaskApiTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 1, ImageMaxSeconds = 1.5, QueuedFraction = 0.3 })
{
    [StoreFact]
    public async Task A_text_to_image_task_goes_through_every_status_and_ends_with_result_urls()
    {
        var response = await Server.SubmitAsync(Requests.Image(extra: ("count", 2)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!;
        Assert.Equal(TaskLifecycle.Accepted, accepted.Status);
        Assert.Equal($"/v1/tasks/{accepted.Id}", response.Headers.Location!.ToString());

        var seen = new List<TaskLifecycle> { accepted.Status };
        var final = await Eventually.Until(async () =>
        {
            var v = await Server.GetAsync(accepted.Id);
            if (seen[^1] != v.Status) seen.Add(v.Status);
            return v;
        }, v => v.Status.IsTerminal(), TimeSpan.FromSeconds(30), "the task to end");

        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.Equal(2, final.Results.Count);
        Assert.All(final.Results, r => Assert.StartsWith(Sim.BaseUrl + "files/", r.Url));
        Assert.Equal("image", final.Results[0].Kind);
        Assert.NotNull(final.ProviderTaskId);
        Assert.Equal(1, final.SubmitAttempts);
        Assert.True(final.Polls >= 1);
        Assert.NotNull(final.SubmittedAt);
        Assert.NotNull(final.CompletedAt);
        // Statuses only move forward; processing is seen between submitted and succeeded (the simulator queues 30% of the time).
        var order = seen.Select(s => (int)s).ToList();
        Assert.Equal(order.OrderBy(x => x), order);
        Assert.Contains(TaskLifecycle.Processing, seen);
        // The result URL serves real bytes.
        var png = await Server.Http.GetByteArrayAsync(final.Results[0].Url);
        Assert.Equal(SampleMedia.Png, png);
    }

    [StoreTheory]
    [InlineData("""{"provider":"nope","kind":"text-to-image","model":"kling-v1","prompt":"x"}""", "provider")]
    [InlineData("""{"provider":"simulator","kind":"text-to-sound","model":"kling-v1","prompt":"x"}""", "kind")]
    [InlineData("""{"provider":"simulator","kind":"text-to-image","model":"kling-v1","prompt":"   "}""", "prompt")]
    [InlineData("""{"provider":"simulator","kind":"text-to-image","model":"kling-v1","prompt":"x","count":10}""", "count")]
    [InlineData("""{"provider":"simulator","kind":"text-to-image","model":"kling-v1","prompt":"x","count":"two"}""", "count")]
    [InlineData("""{"provider":"simulator","kind":"text-to-image","model":"kling-v1","prompt":"x","promt":"typo"}""", "promt")]
    [InlineData("""{"provider":"simulator","kind":"text-to-video","model":"kling-v1","prompt":"x","cfgScale":1.5}""", "cfgScale")]
    [InlineData("""{"provider":"simulator","kind":"text-to-image","model":"kling-v1",""", "body")]
    public async Task Invalid_input_is_a_400_problem_naming_the_field_and_nothing_is_persisted(string body, string field)
    {
        var response = await Server.Http.PostAsync("/v1/tasks", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(400, (int)problem["status"]!);
        Assert.NotNull(problem["errors"]![field]);
        var list = await Server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks");
        Assert.Empty(list!["items"]!.AsArray());
    }

    [StoreFact]
    public async Task An_over_long_prompt_names_the_limit()
    {
        var response = await Server.SubmitAsync(Requests.Image(new string('x', 2501)));
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("2500", (string)problem["errors"]!["prompt"]![0]!);
    }

    [StoreFact]
    public async Task A_provider_without_credentials_is_refused_naming_the_missing_setting()
    {
        var body = Requests.Image();
        body["provider"] = "dmxapi";
        var response = await Server.SubmitAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("Orchestrator:Providers:dmxapi:ApiKey", (string)problem["errors"]!["provider"]![0]!);
    }

    [StoreFact]
    public async Task The_same_idempotency_key_returns_the_existing_task_and_never_a_second_one()
    {
        var body = Requests.Image(extra: ("idempotencyKey", "order-42"));
        var first = await Server.SubmitAsync(body);
        var second = await Server.SubmitAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = (await first.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!;
        var b = (await second.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!;
        Assert.Equal(a.Id, b.Id);

        var other = Requests.Image("a different prompt", ("idempotencyKey", "order-42"));
        var conflict = await Server.SubmitAsync(other);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        await Server.WaitForEndAsync(a.Id);
        Assert.Equal(1, Sim.Sim.Stats().Submits);
    }

    [StoreFact]
    public async Task The_same_idempotency_key_after_a_restart_still_returns_the_existing_task_which_finishes()
    {
        var body = Requests.Image(extra: ("idempotencyKey", "order-43"));
        var first = (await (await Server.SubmitAsync(body)).Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!;

        await RestartServerAsync(); // the task still in flight

        var again = await Server.SubmitAsync(body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first.Id, (await again.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
        var other = await Server.SubmitAsync(Requests.Image("a different prompt", ("idempotencyKey", "order-43")));
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal(TaskLifecycle.Succeeded, (await Server.WaitForEndAsync(first.Id)).Status);
        Assert.Equal(1, Sim.Sim.Stats().Submits);
    }

    [StoreFact]
    public async Task Cancel_ends_a_running_task_and_a_second_cancel_is_a_conflict()
    {
        var body = Requests.Image();
        var created = (await (await Server.SubmitAsync(body)).Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!;

        var cancel = await Server.Http.DeleteAsync($"/v1/tasks/{created.Id}");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(TaskLifecycle.Cancelled, (await Server.GetAsync(created.Id)).Status);

        var again = await Server.Http.DeleteAsync($"/v1/tasks/{created.Id}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.DeleteAsync($"/v1/tasks/{new string('0', 32)}")).StatusCode);
    }

    [StoreFact]
    public async Task Unknown_tasks_are_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetAsync($"/v1/tasks/{new string('a', 32)}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetAsync("/v1/tasks/not-an-id")).StatusCode);
    }

    [StoreFact]
    public async Task Listing_is_newest_first_filters_and_pages()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
            ids.Add((await (await Server.SubmitAsync(Requests.Image($"prompt {i}"))).Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
        await Server.Http.DeleteAsync($"/v1/tasks/{ids[0]}");

        var page1 = (await Server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks?limit=3"))!;
        var page1Ids = page1["items"]!.AsArray().Select(n => (string)n!["id"]!).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse().Take(3), page1Ids);
        var after = (string)page1["nextAfter"]!;
        var page2 = (await Server.Http.GetFromJsonAsync<JsonObject>($"/v1/tasks?limit=3&after={after}"))!;
        Assert.Equal(ids.AsEnumerable().Reverse().Skip(3), page2["items"]!.AsArray().Select(n => (string)n!["id"]!));
        Assert.Null(page2["nextAfter"]);

        var cancelled = (await Server.Http.GetFromJsonAsync<JsonObject>("/v1/tasks?status=cancelled"))!;
        Assert.Equal([ids[0]], cancelled["items"]!.AsArray().Select(n => (string)n!["id"]!));
        Assert.Equal(HttpStatusCode.BadRequest, (await Server.Http.GetAsync("/v1/tasks?status=done")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Server.Http.GetAsync("/v1/tasks?limit=0")).StatusCode);
    }

    [StoreFact]
    public async Task Health_and_provider_accounts_are_reported()
    {
        Assert.Equal(HttpStatusCode.OK, (await Server.Http.GetAsync("/healthz")).StatusCode);
        var providers = (await Server.Http.GetFromJsonAsync<JsonObject>("/v1/providers"))!;
        var accounts = providers["accounts"]!.AsArray();
        var sim = accounts.Single(a => (string)a!["account"]! == "simulator")!;
        Assert.True((bool)sim["enabled"]!);
        Assert.Equal(50, (double)sim["throttle"]!["configuredQps"]!);
        Assert.InRange((double)sim["throttle"]!["effectiveQps"]!, 45, 50);
        var dmx = accounts.Single(a => (string)a!["account"]! == "dmxapi")!;
        Assert.False((bool)dmx["enabled"]!);
        Assert.Contains("ApiKey", (string)dmx["disabledReason"]!);
        Assert.DoesNotContain("sk-", providers.ToJsonString());
    }
}
