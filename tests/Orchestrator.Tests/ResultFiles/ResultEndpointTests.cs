using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.ResultFiles;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ResultFiles;

/// <summary><c>GET /v1/tasks/{id}/results/{index}</c> on the real server, with a file put in its result store directly.</summary>
public sealed class ResultEndpointTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private OrchestratorServer _server = null!;

    private string ResultsDirectory => Path.Combine(_dir.Path, "results");

    public async Task InitializeAsync() =>
        // No task is submitted here, so the provider account's URL is never called.
        _server = await OrchestratorServer.StartAsync(_dir.SqliteConnectionString(), "http://127.0.0.1:9/",
            $"--Orchestrator:Results:Directory={ResultsDirectory}");

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_stored_file_is_served_with_its_media_type_length_etag_and_ranges()
    {
        var id = TaskIds.New();
        var saved = await _server.Services.GetRequiredService<IResultStore>()
            .SaveAsync(id, 1, new MemoryStream(SampleMedia.Png), "image/png", 1024, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(ResultsDirectory, id, "1")));

        using var response = await _server.Http.GetAsync($"/v1/tasks/{id}/results/1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked); // so the length below is the header's
        Assert.Equal(SampleMedia.Png.Length, response.Content.Headers.ContentLength);
        Assert.Equal($"\"{saved.Sha256}\"", response.Headers.ETag!.Tag);
        Assert.Equal(SampleMedia.Png, await response.Content.ReadAsByteArrayAsync());

        using var range = new HttpRequestMessage(HttpMethod.Get, $"/v1/tasks/{id}/results/1");
        range.Headers.Range = new RangeHeaderValue(0, 7);
        using var partial = await _server.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(SampleMedia.Png[..8], await partial.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/tasks/{id}/results/1");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{saved.Sha256}\""));
        using var unchanged = await _server.Http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
    }

    [Theory]
    [InlineData("0", "Result not found")]
    [InlineData("7", "Result not found")]
    [InlineData("x", "Result not found")]
    [InlineData("-1", "Result not found")]
    public async Task An_index_without_a_stored_file_is_a_404_problem(string index, string title)
    {
        var id = TaskIds.New();
        await _server.Services.GetRequiredService<IResultStore>()
            .SaveAsync(id, 1, new MemoryStream(SampleMedia.Png), "image/png", 1024, CancellationToken.None);

        await AssertProblem404($"/v1/tasks/{id}/results/{index}", title);
    }

    [Fact]
    public async Task A_malformed_task_id_is_a_404_task_problem()
    {
        await AssertProblem404("/v1/tasks/not-a-task/results/0", "Task not found");
        await AssertProblem404("/v1/tasks/..%2F..%2Fetc/results/0", "Task not found");
    }

    private async Task AssertProblem404(string path, string title)
    {
        using var response = await _server.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((404, title), ((int)problem["status"]!, (string)problem["title"]!));
    }
}
