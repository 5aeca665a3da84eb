using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ResultFiles;

/// <summary>A task is succeeded only once its files are in our store, and stays readable after the provider's URLs expire.</summary>
public sealed class RehostedTaskTests() : ServerTest(new() { ImageMinSeconds = 0.3, ImageMaxSeconds = 0.6, VideoMinSeconds = 0.3, VideoMaxSeconds = 0.6 })
{
    protected override string[] ServerArgs => ["--Orchestrator:Results:MaxBytes=100000"];

    [Fact]
    public async Task Stored_files_match_the_providers_bytes_and_checksums()
    {
        var view = await RunAsync(Requests.Image(extra: ("count", 2)));
        Assert.Equal(TaskLifecycle.Succeeded, view.Status);
        Assert.Equal(2, view.Results.Count);
        foreach (var r in view.Results)
        {
            Assert.Equal($"/v1/tasks/{view.Id}/results/{r.Index}", r.StoredUrl);
            var theirs = await Server.Http.GetByteArrayAsync(r.Url);
            using var ours = await Server.Http.GetAsync(r.StoredUrl);
            Assert.Equal(HttpStatusCode.OK, ours.StatusCode);
            Assert.Equal("image/png", ours.Content.Headers.ContentType?.MediaType);
            var bytes = await ours.Content.ReadAsByteArrayAsync();
            Assert.Equal(theirs, bytes);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(theirs)), r.Sha256);
            Assert.Equal(theirs.Length, r.Bytes);
        }
    }

    [Fact]
    public async Task A_video_is_stored_too_and_its_completion_event_carries_both_urls()
    {
        var view = await RunAsync(new Dictionary<string, object?>
        {
            ["provider"] = "simulator", ["kind"] = "text-to-video", ["model"] = "kling-v1-6", ["prompt"] = "a wave", ["durationSeconds"] = 5,
        });
        Assert.Equal(TaskLifecycle.Succeeded, view.Status);
        var completion = await FirstCompletionOfAsync(view.Id);
        var r = Assert.Single(completion.Task.Results);
        Assert.StartsWith(Sim.BaseUrl, r.Url);
        Assert.Equal($"/v1/tasks/{view.Id}/results/0", r.StoredUrl);
        Assert.Equal("video/mp4", r.ContentType);
    }

    [Fact]
    public async Task A_download_failing_twice_then_succeeding_ends_well()
    {
        var before = Sim.Sim.ResultFileDownloads;
        Sim.Sim.InjectResultFileFault(SimulatedFault.ServerError, 2);
        var view = await RunAsync(Requests.Image());
        Assert.Equal(TaskLifecycle.Succeeded, view.Status);
        Assert.Equal(3, Sim.Sim.ResultFileDownloads - before);
        Assert.NotNull(Assert.Single(view.Results).Sha256);
    }

    [Fact]
    public async Task An_oversized_file_fails_the_task_with_a_clear_error()
    {
        SimOptions.ResultFileBytes = 200_000;
        try
        {
            var view = await RunAsync(Requests.Image());
            Assert.Equal(TaskLifecycle.Failed, view.Status);
            Assert.Equal("result_too_large", view.Error!.Code);
            Assert.Contains("100000", view.Error.Message);
            Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetAsync($"/v1/tasks/{view.Id}/results/0")).StatusCode);
        }
        finally
        {
            SimOptions.ResultFileBytes = 0;
        }
    }

    private async Task<TaskView> RunAsync(object body)
    {
        var id = await Server.SubmitForIdAsync(body);
        return await Server.WaitForEndAsync(id, TimeSpan.FromSeconds(30));
    }

    private async Task<Orchestrator.Events.TaskCompletion> FirstCompletionOfAsync(string taskId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var c in Server.Orchestrator.CompletionsAsync(0, timeout.Token))
            if (c.Task.Id == taskId) return c;
        throw new InvalidOperationException("no completion");
    }
}
