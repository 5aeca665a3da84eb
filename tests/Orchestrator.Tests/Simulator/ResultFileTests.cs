using System.Net;
using Orchestrator.Simulator;

namespace Orchestrator.Tests.Simulator;

/// <summary>The files area for download tests: injected faults, padded files, answers with and without a Content-Length.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class ResultFileTests : IAsyncLifetime
{
    private SimulatorHarness _h = null!;

    public async Task InitializeAsync() => _h = await SimulatorHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<string> SucceededImageUrlAsync()
    {
        var (_, body) = await _h.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image());
        _h.Clock.Advance(TimeSpan.FromSeconds(10));
        return new Uri(_h.Sim.Peek((string)body["data"]!["task_id"]!)!.ResultUrls()[0]).PathAndQuery;
    }

    [Fact]
    public async Task Result_file_faults_set_over_http_answer_the_next_downloads_then_the_file_comes()
    {
        var url = await SucceededImageUrlAsync();
        using var inject = await _h.Http.PostAsync("/_sim/faults?kind=ServerError&count=2&target=ResultFiles", null);
        Assert.Equal(HttpStatusCode.NoContent, inject.StatusCode);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await _h.Http.GetAsync(url);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.OK], statuses);
        Assert.Equal(3, _h.Sim.ResultFileDownloads);
        // Calls to the protocol are untouched by result-file faults.
        Assert.Equal(0, _h.Sim.Stats().ServerErrors);
    }

    [Fact]
    public async Task Result_file_faults_are_simulator_wide()
    {
        using var response = await _h.Http.PostAsync("/_sim/faults?kind=ServerError&count=1&target=ResultFiles&account=kling", null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_padded_file_starts_with_the_sample_and_has_the_set_size_with_or_without_a_content_length(bool chunked)
    {
        var url = await SucceededImageUrlAsync();
        _h.Sim.Options.ResultFileBytes = 200_000;
        _h.Sim.Options.ResultFilesChunked = chunked;

        using var response = await _h.Http.GetAsync(url);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        // Without chunking, HTTP/1.1 has only the Content-Length to end the body by.
        Assert.Equal(chunked, response.Headers.TransferEncodingChunked == true);
        Assert.Equal(200_000, bytes.Length);
        Assert.Equal(SampleMedia.Png, bytes[..SampleMedia.Png.Length]);
        Assert.True(bytes[SampleMedia.Png.Length..].All(b => b == 0));
    }
}
