using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Orchestrator.Events;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Events;

/// <summary><c>GET /v1/events</c> as a browser's EventSource or curl uses it.</summary>
public class SseTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.3, ImageMaxSeconds = 1.2, FailureRate = 0.3 })
{
    [StoreFact]
    public async Task A_client_reconnecting_with_Last_Event_ID_receives_exactly_what_it_missed()
    {
        var ids = new List<string>();
        for (var i = 0; i < 12; i++) ids.Add(await SubmitAsync(Requests.Image($"sse {i}")));

        var first = await ReadEventsAsync("/v1/events?from=start", lastEventId: null, count: 5);
        // All twelve end while the client is away.
        foreach (var id in ids) await Server.WaitForEndAsync(id);
        // As EventSource reconnects: the same URL, and Last-Event-ID, which wins over from=start.
        var missed = await ReadEventsAsync("/v1/events?from=start", lastEventId: first[^1].EventId, count: 7);

        var offsets = first.Concat(missed).Select(e => long.Parse(e.EventId!)).ToList();
        Assert.Equal(offsets.Order(), offsets);
        Assert.Equal(offsets.Count, offsets.Distinct().Count());
        Assert.Equal(ids.Order(), first.Concat(missed).Select(e => e.Data.Task.Id).Order());
        Assert.All(first.Concat(missed), e => Assert.Equal(e.EventType, e.Data.Type));
    }

    [StoreFact]
    public async Task Filters_by_status_and_tenant()
    {
        var mine = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var tenant = i % 2 == 0 ? "acme" : "globex";
            var id = await SubmitAsync(Requests.Image($"tenant {i}", ("metadata", new Dictionary<string, string> { ["tenant"] = tenant })));
            if (tenant == "acme") mine.Add(id);
        }
        var views = new List<TaskView>();
        foreach (var id in mine) views.Add(await Server.WaitForEndAsync(id));
        var succeeded = views.Where(v => v.Status == TaskLifecycle.Succeeded).Select(v => v.Id).Order().ToList();
        Assert.NotEmpty(succeeded);

        var events = await ReadEventsAsync("/v1/events?from=start&tenant=acme&status=succeeded", null, succeeded.Count);
        Assert.Equal(succeeded, events.Select(e => e.Data.Task.Id).Order());
    }

    [StoreFact]
    public async Task Without_a_position_the_stream_starts_now_and_from_start_replays_the_history()
    {
        var old = new List<string>();
        for (var i = 0; i < 3; i++) old.Add(await SubmitAsync(Requests.Image($"before {i}")));
        foreach (var id in old) await Server.WaitForEndAsync(id);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await Server.Http.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        await using var items = SseParser.Create(body).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        // The first heartbeat says the stream is open: a task that ends after it must come.
        Assert.True(await items.MoveNextAsync());
        Assert.Equal("heartbeat", items.Current.EventType);
        var fresh = await SubmitAsync(Requests.Image("after"));
        var seen = new List<string>();
        while (!seen.Contains(fresh) && await items.MoveNextAsync())
            if (items.Current.EventType != "heartbeat")
                seen.Add(JsonSerializer.Deserialize<TaskCompletion>(items.Current.Data, OrchestratorServer.Json)!.Task.Id);
        Assert.Equal([fresh], seen);

        var replayed = await ReadEventsAsync("/v1/events?from=start", null, count: 4);
        Assert.Equal(old.Append(fresh).Order(), replayed.Select(e => e.Data.Task.Id).Order());
    }

    [StoreFact]
    public async Task The_stream_opens_at_once_even_when_nothing_has_completed_yet()
    {
        // Well before the 15 s heartbeat: a client (or proxy) sees the stream open, not a silent request.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await Server.Http.GetAsync("/v1/events?after=999999999", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
    }

    [StoreFact]
    public async Task A_bad_resume_id_or_status_is_a_400_naming_the_field()
    {
        using var badId = new HttpRequestMessage(HttpMethod.Get, "/v1/events");
        badId.Headers.Add("Last-Event-ID", "yesterday");
        var r1 = await Server.Http.SendAsync(badId);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, r1.StatusCode);
        Assert.Contains("Last-Event-ID", await r1.Content.ReadAsStringAsync());

        var r2 = await Server.Http.GetAsync("/v1/events?status=processing");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, r2.StatusCode);
        Assert.Contains("status", await r2.Content.ReadAsStringAsync());

        foreach (var (query, field) in new[] { ("after=garbage", "after"), ("from=yesterday", "from"), ("after=-3", "after") })
        {
            using var r = await Server.Http.GetAsync("/v1/events?" + query, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, r.StatusCode);
            var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }
    }

    private Task<string> SubmitAsync(object body) => Server.SubmitForIdAsync(body);

    private async Task<List<SseItem<TaskCompletion>>> ReadEventsAsync(string path, string? lastEventId, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await Server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var got = new List<SseItem<TaskCompletion>>();
        var parser = SseParser.Create(body, (type, data) => type == "heartbeat" ? null! : JsonSerializer.Deserialize<TaskCompletion>(data, OrchestratorServer.Json)!);
        await foreach (var item in parser.EnumerateAsync(timeout.Token))
        {
            if (item.EventType == "heartbeat") continue;
            got.Add(item);
            if (got.Count == count) break;
        }
        return got;
    }
}
