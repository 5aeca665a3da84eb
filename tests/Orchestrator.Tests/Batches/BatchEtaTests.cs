using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Batches;

/// <summary>
/// A batch's <c>etaSeconds</c>: unknown (null) until tasks have ended at a measurable rate, then the tasks left, the
/// ones not yet started included, at that rate. The account runs 5 provider tasks at once.
/// </summary>
public sealed class BatchEtaTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 2, ImageMaxSeconds = 3, VideoMinSeconds = 1, VideoMaxSeconds = 1.2 })
{
    private const int Slots = 5;

    protected override string[] ServerArgs => [$"--Orchestrator:Providers:simulator:MaxConcurrentTasks={Slots}"];

    private async Task<string> UploadAsync(string kind, string model, int n)
    {
        var body = string.Join("\n", Enumerable.Range(1, n).Select(i =>
            JsonSerializer.Serialize(new { provider = "simulator", kind, model, prompt = $"eta {i}" })));
        var response = await Server.Http.PostAsync("/v1/batches", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
    }

    private Task<JsonElement> BatchAsync(string id) => Server.Http.GetFromJsonAsync<JsonElement>($"/v1/batches/{id}");

    [Fact]
    public async Task Before_any_task_ended_the_eta_is_unknown_rather_than_zero()
    {
        var id = await UploadAsync("text-to-image", "kling-v1-5", 3);

        var batch = await BatchAsync(id); // its images take at least 2 s
        Assert.Equal(0, batch.GetProperty("ended").GetInt32());
        Assert.Equal(JsonValueKind.Null, batch.GetProperty("etaSeconds").ValueKind);
    }

    [Fact]
    public async Task Once_tasks_end_at_a_measured_rate_the_eta_counts_the_videos_not_yet_started()
    {
        var id = await UploadAsync("text-to-video", "kling-v1-6", 60);

        var batch = await Eventually.Until(() => BatchAsync(id), b => b.GetProperty("ended").GetInt32() >= 10, TimeSpan.FromSeconds(60), "ten videos to end");

        var notStarted = batch.GetProperty("counts").GetProperty("accepted").GetInt32();
        var left = batch.GetProperty("total").GetInt32() - batch.GetProperty("ended").GetInt32();
        Assert.True(notStarted >= 40, $"{notStarted} videos not started");
        // Every video takes at least 1 s on one of 5 slots: what is left needs at least left / 5 seconds.
        var eta = batch.GetProperty("etaSeconds").GetDouble();
        Assert.InRange(eta, left * 1.0 / Slots, 120);
    }
}
