using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>What the dashboard reads beyond a task's view: lists by batch and tenant, recent batches, a task's timeline.</summary>
public sealed class DashboardApiTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 1.2, ImageMaxSeconds = 1.5 })
{
    private static string Line(int i, string tenant) =>
        JsonSerializer.Serialize(new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = $"prompt {i}", metadata = new { tenant } });

    private async Task<string> UploadAsync(params string[] lines)
    {
        var response = await Server.Http.PostAsync("/v1/batches", new StringContent(string.Join("\n", lines), Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
    }

    private async Task<List<JsonElement>> ListAsync(string query) =>
        (await Server.Http.GetFromJsonAsync<JsonElement>("/v1/tasks" + query)).GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task Tasks_are_listed_by_batch_and_by_tenant_and_recent_batches_newest_first_with_their_counts()
    {
        var first = await UploadAsync(Line(1, "acme"), Line(2, "acme"));
        var second = await UploadAsync(Line(1, "globex"), Line(2, "globex"), Line(3, "globex"));

        // A batch's tasks are listed once they leave its queue (a moment after the upload).
        var ofSecond = await Eventually.Until(() => ListAsync($"?batch={second}"), t => t.Count == 3, TimeSpan.FromSeconds(10), "the second batch's tasks");
        Assert.All(ofSecond, t => Assert.Equal(second, t.GetProperty("batchId").GetString()));
        var acme = await Eventually.Until(() => ListAsync("?tenant=acme"), t => t.Count == 2, TimeSpan.FromSeconds(10), "acme's tasks");
        Assert.All(acme, t => Assert.Equal(first, t.GetProperty("batchId").GetString()));
        Assert.Empty(await ListAsync($"?batch={first}&tenant=globex"));
        var counts = await Server.Http.GetFromJsonAsync<JsonElement>("/v1/tasks/counts?hours=1");
        Assert.Equal(5, counts.GetProperty("counts").EnumerateObject().Sum(c => c.Value.GetInt32()));
        Assert.Equal(HttpStatusCode.BadRequest, (await Server.Http.GetAsync("/v1/tasks/counts?hours=0")).StatusCode);

        // Batches are listed from the batch registry, which follows the journal a moment behind.
        var batches = await Eventually.Until(async () => (await Server.Http.GetFromJsonAsync<JsonElement>("/v1/batches")).GetProperty("items").EnumerateArray().ToList(),
            b => b.Count == 2, TimeSpan.FromSeconds(10), "both batches listed");
        Assert.Equal([second, first], batches.Select(b => b.GetProperty("batchId").GetString()));
        Assert.Equal(3, batches[0].GetProperty("total").GetInt32());
        Assert.Equal("globex", batches[0].GetProperty("tenant").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Server.Http.GetAsync("/v1/batches?limit=0")).StatusCode);
    }

    [Fact]
    public async Task A_task_timeline_shows_acceptance_submission_each_poll_and_the_end_with_their_times()
    {
        var id = await Server.SubmitForIdAsync(new { provider = "simulator", kind = "text-to-image", model = "kling-v1-5", prompt = "a timeline" });
        var view = await Server.WaitForEndAsync(id);

        var timeline = await Server.Http.GetFromJsonAsync<JsonElement>($"/v1/tasks/{id}/timeline");

        var entries = timeline.GetProperty("entries").EnumerateArray().ToList();
        var events = entries.Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Equal("accepted", events[0]);
        Assert.Equal("succeeded", events[^1]);
        Assert.Contains("submitted", events);
        Assert.Equal(view.Polls, events.Count(e => e == "poll"));
        Assert.True(view.Polls > 0, "a 1.2 s task is polled at least once");
        var at = entries.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(at.Order(), at);
        Assert.Equal(view.CreatedAt, at[0]);
        Assert.Equal(view.CompletedAt, at[^1]);
        Assert.Equal(view.SubmittedAt, entries.First(e => e.GetProperty("event").GetString() == "submitted").GetProperty("at").GetDateTimeOffset());
        Assert.Equal(0, timeline.GetProperty("unobservedPolls").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetAsync($"/v1/tasks/{Orchestrator.Tasks.TaskIds.New()}/timeline")).StatusCode);
    }
}
