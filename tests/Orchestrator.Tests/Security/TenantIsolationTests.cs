using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Events;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Orchestrator.Tests.Webhooks;

namespace Orchestrator.Tests.Security;

/// <summary>
/// A task's tenant is its key's; another tenant's tasks, batches, results, events and webhooks are 404 (not 403: their
/// existence is not revealed), and an admin key sees all.
/// </summary>
public sealed class TenantIsolationTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5 })
{
    protected override string[] ServerArgs => [.. Keys.ServerArgs, WebhookTestServer.AllowPrivate];

    private static async Task<TaskView> SubmitAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/v1/tasks", body, OrchestratorServer.Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!;
    }

    /// <summary>Waits through the embedding API, which needs no key.</summary>
    private Task<TaskView> EndAsync(string id) => Server.Orchestrator.WaitForCompletionAsync(id, TimeSpan.FromSeconds(60));

    private static async Task<List<string>> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<TaskPage>("/v1/tasks?limit=500", OrchestratorServer.Json))!.Items.Select(v => v.Id).ToList();

    [Fact]
    public async Task A_submit_keys_task_is_its_tenants_and_another_tenant_can_neither_see_list_cancel_nor_download_it()
    {
        using var acme = Keys.Client(Server, Keys.AcmeSubmit);
        using var acmeRead = Keys.Client(Server, Keys.AcmeRead);
        using var globex = Keys.Client(Server, Keys.GlobexSubmit);
        using var admin = Keys.Client(Server, Keys.Admin);

        var task = await SubmitAsync(acme, Requests.Image("acme's secret prompt", ("metadata", new Dictionary<string, string> { ["order"] = "7" })));
        Assert.Equal("acme", task.Metadata!["tenant"]);
        Assert.Equal("7", task.Metadata["order"]);
        var ended = await EndAsync(task.Id);
        Assert.Equal(TaskLifecycle.Succeeded, ended.Status);

        // Naming another tenant is refused, and nothing is kept of it.
        var spoofed = await acme.PostAsJsonAsync("/v1/tasks", Requests.Image("spoofed", ("metadata", new Dictionary<string, string> { ["tenant"] = "globex" })));
        Assert.Equal(HttpStatusCode.BadRequest, spoofed.StatusCode);
        Assert.NotNull((await spoofed.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!["metadata.tenant"]);

        foreach (var response in new[]
                 {
                     await globex.GetAsync($"/v1/tasks/{task.Id}"), await globex.DeleteAsync($"/v1/tasks/{task.Id}"),
                     await globex.GetAsync($"/v1/tasks/{task.Id}/results/0"), await globex.GetAsync($"/v1/tasks/{task.Id}/timeline"),
                 })
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acmeRead.GetAsync($"/v1/tasks/{task.Id}/results/0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/v1/tasks/{task.Id}")).StatusCode);

        var theirs = await SubmitAsync(globex, Requests.Image("globex's prompt"));
        Assert.Equal([task.Id], await ListAsync(acmeRead));
        Assert.Equal([theirs.Id], await ListAsync(globex));
        Assert.Equal(new[] { task.Id, theirs.Id }.Order(), (await ListAsync(admin)).Order());
    }

    [Fact]
    public async Task Idempotency_keys_are_per_tenant_so_one_tenants_key_never_finds_another_tenants_task()
    {
        using var acme = Keys.Client(Server, Keys.AcmeSubmit);
        using var globex = Keys.Client(Server, Keys.GlobexSubmit);
        var request = Requests.Image("same key", ("idempotencyKey", "order-1"));

        var first = await SubmitAsync(acme, request);
        var other = await globex.PostAsJsonAsync("/v1/tasks", request);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        Assert.NotEqual(first.Id, (await other.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
        Assert.Equal(first.Id, (await SubmitAsync(acme, request)).Id);
    }

    [Fact]
    public async Task A_batch_uploads_idempotency_key_is_per_tenant_so_another_tenant_gets_a_batch_of_its_own_not_a_409()
    {
        using var acme = Keys.Client(Server, Keys.AcmeSubmit);
        using var globex = Keys.Client(Server, Keys.GlobexSubmit);
        async Task<(HttpStatusCode Status, string? BatchId)> UploadAsync(HttpClient client, string prompt)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/batches")
            {
                Content = new StringContent(JsonSerializer.Serialize(Requests.Image(prompt), OrchestratorServer.Json), Encoding.UTF8, "application/x-ndjson"),
            };
            request.Headers.Add("Idempotency-Key", "nightly");
            var response = await client.SendAsync(request);
            var body = await response.Content.ReadFromJsonAsync<JsonNode>();
            return (response.StatusCode, body?["batchId"]?.GetValue<string>());
        }

        var first = await UploadAsync(acme, "acme's nightly");
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        var other = await UploadAsync(globex, "globex's nightly");
        Assert.Equal(HttpStatusCode.Accepted, other.Status);
        Assert.NotEqual(first.BatchId, other.BatchId);
        Assert.Equal((HttpStatusCode.OK, first.BatchId), await UploadAsync(acme, "acme's nightly"));
    }

    [Fact]
    public async Task A_batch_is_its_uploading_tenants_and_another_tenant_gets_404_for_its_status_results_and_cancel()
    {
        using var acme = Keys.Client(Server, Keys.AcmeSubmit);
        using var globex = Keys.Client(Server, Keys.GlobexSubmit);
        using var admin = Keys.Client(Server, Keys.Admin);
        string Line(string prompt, string? tenant = null) => JsonSerializer.Serialize(Requests.Image(prompt,
            ("metadata", tenant is null ? null : new Dictionary<string, string> { ["tenant"] = tenant })));
        var body = string.Join("\n", Line("one"), Line("two", "acme"), Line("three", "globex")) + "\n";

        var upload = await acme.PostAsync("/v1/batches", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var answer = (await upload.Content.ReadFromJsonAsync<JsonNode>())!;
        var batchId = answer["batchId"]!.GetValue<string>();
        Assert.Equal(2, answer["accepted"]!.GetValue<int>());
        var rejected = Assert.Single(answer["rejected"]!.AsArray());
        Assert.Equal(3, rejected!["line"]!.GetValue<int>());
        Assert.Equal("metadata.tenant", rejected["errors"]![0]!["field"]!.GetValue<string>());

        foreach (var response in new[]
                 {
                     await globex.GetAsync($"/v1/batches/{batchId}"), await globex.GetAsync($"/v1/batches/{batchId}/results"),
                     await globex.DeleteAsync($"/v1/batches/{batchId}"),
                 })
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        var view = await Eventually.Until(() => acme.GetFromJsonAsync<JsonNode>($"/v1/batches/{batchId}")!,
            v => v!["ended"]!.GetValue<int>() == 2, TimeSpan.FromSeconds(30), "the batch to end");
        Assert.Equal("acme", view!["tenant"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/v1/batches/{batchId}")).StatusCode);
        var results = (await acme.GetStringAsync($"/v1/batches/{batchId}/results")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(results, line => Assert.Equal("acme", JsonNode.Parse(line)!["metadata"]!["tenant"]!.GetValue<string>()));
        Assert.Equal(2, results.Length);

        // Nor may another tenant retry it, find it among the recent batches, or list its tasks by naming its tenant.
        Assert.Equal(HttpStatusCode.NotFound, (await globex.PostAsync($"/v1/batches/{batchId}/retry", null)).StatusCode);
        static async Task<List<string?>> Recent(HttpClient c) =>
            (await c.GetFromJsonAsync<JsonNode>("/v1/batches"))!["items"]!.AsArray().Select(b => b!["batchId"]!.GetValue<string>()).ToList<string?>();
        await Eventually.Until(() => Recent(acme), ids => ids.Contains(batchId), TimeSpan.FromSeconds(10), "acme's batch listed");
        Assert.DoesNotContain(batchId, await Recent(globex));
        Assert.Equal(HttpStatusCode.BadRequest, (await globex.GetAsync("/v1/tasks?tenant=acme")).StatusCode);
        Assert.Equal(0, (await globex.GetFromJsonAsync<JsonNode>("/v1/tasks/counts"))!["counts"]!.AsObject().Sum(c => c.Value!.GetValue<int>()));
    }

    [Fact]
    public async Task A_tenant_keys_event_stream_carries_only_its_tenants_completions()
    {
        using var acme = Keys.Client(Server, Keys.AcmeRead);
        using var acmeSubmit = Keys.Client(Server, Keys.AcmeSubmit);
        using var globex = Keys.Client(Server, Keys.GlobexSubmit);
        // Globex's tasks end first, so a stream that leaked them would show them before acme's.
        var theirs = new List<string>();
        for (var i = 0; i < 3; i++) theirs.Add((await SubmitAsync(globex, Requests.Image($"globex {i}"))).Id);
        foreach (var id in theirs) await EndAsync(id);
        var mine = new List<string>();
        for (var i = 0; i < 3; i++) mine.Add((await SubmitAsync(acmeSubmit, Requests.Image($"acme {i}"))).Id);
        foreach (var id in mine) await EndAsync(id);

        var seen = await ReadCompletionsAsync(acme, "/v1/events?from=start", mine.Count);
        Assert.Equal(mine.Order(), seen.Select(c => c.Task.Id).Order());

        var other = await acme.GetAsync("/v1/events?from=start&tenant=globex");
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.NotNull((await other.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!["tenant"]);
    }

    [Fact]
    public async Task A_webhook_is_its_tenants_receives_only_its_completions_and_is_404_to_another_tenant()
    {
        await using var receiver = await WebhookReceiver.StartAsync("whsec_" + Convert.ToBase64String(new byte[32]));
        using var acme = Keys.Client(Server, Keys.AcmeSubmit);
        using var globex = Keys.Client(Server, Keys.GlobexSubmit);
        using var admin = Keys.Client(Server, Keys.Admin);
        var created = await acme.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, secret = receiver.Secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hook = (await created.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();

        Assert.Empty((await globex.GetFromJsonAsync<JsonNode>("/v1/webhooks"))!["items"]!.AsArray());
        foreach (var response in new[]
                 {
                     await globex.GetAsync($"/v1/webhooks/{hook}"), await globex.GetAsync($"/v1/webhooks/{hook}/deliveries"),
                     await globex.PostAsync($"/v1/webhooks/{hook}/enable", null), await globex.DeleteAsync($"/v1/webhooks/{hook}"),
                     // The built-in endpoint carries every tenant's per-task deliveries.
                     await globex.GetAsync("/v1/webhooks/task-webhooks/deliveries"),
                 })
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var listed = Assert.Single((await acme.GetFromJsonAsync<JsonNode>("/v1/webhooks"))!["items"]!.AsArray());
        Assert.Equal("acme", listed!["tenant"]!.GetValue<string>());
        Assert.Contains(hook, (await admin.GetStringAsync("/v1/webhooks")));

        var theirs = await SubmitAsync(globex, Requests.Image("globex"));
        await EndAsync(theirs.Id);
        var mine = await SubmitAsync(acme, Requests.Image("acme"));
        await Eventually.Until(() => Task.FromResult(receiver.AcceptedTaskIds), ids => ids.Contains(mine.Id), TimeSpan.FromSeconds(30), "acme's delivery");
        Assert.Equal([mine.Id], receiver.AcceptedTaskIds);
    }

    private static async Task<List<TaskCompletion>> ReadCompletionsAsync(HttpClient client, string path, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var got = new List<TaskCompletion>();
        await foreach (var item in SseParser.Create(body).EnumerateAsync(timeout.Token))
        {
            if (item.EventType == "heartbeat") continue;
            got.Add(JsonSerializer.Deserialize<TaskCompletion>(item.Data, OrchestratorServer.Json)!);
            if (got.Count == count) break;
        }
        return got;
    }
}
