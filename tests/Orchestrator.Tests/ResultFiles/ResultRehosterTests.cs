using System.Security.Cryptography;
using Orchestrator.ResultFiles;
using Orchestrator.Simulator;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.ResultFiles;

/// <summary>Downloads from the simulator over loopback HTTP into a local store: bytes, checksums, retries and refusals.</summary>
public sealed class ResultRehosterTests
{
    private static readonly string PngSha256 = Convert.ToHexStringLower(SHA256.HashData(SampleMedia.Png));
    private static readonly string Mp4Sha256 = Convert.ToHexStringLower(SHA256.HashData(SampleMedia.Mp4));

    [Fact]
    public async Task Every_file_is_stored_with_the_providers_bytes_sha256_and_media_type()
    {
        await using var r = await SimulatedResults.StartAsync();
        var results = await r.SucceededResultsAsync(n: 2);
        var taskId = TaskIds.New();

        var outcome = Assert.IsType<RehostOutcome.Stored>(await r.Rehoster.RehostAsync(taskId, results, CancellationToken.None));

        Assert.Equal(
        [
            new StoredFile(0, PngSha256, SampleMedia.Png.Length, "image/png"),
            new StoredFile(1, PngSha256, SampleMedia.Png.Length, "image/png"),
            new StoredFile(2, Mp4Sha256, SampleMedia.Mp4.Length, "video/mp4"),
        ], outcome.Files);
        Assert.Equal(SampleMedia.Png, await File.ReadAllBytesAsync(Path.Combine(r.Directory, taskId, "0")));
        Assert.Equal(SampleMedia.Mp4, await File.ReadAllBytesAsync(Path.Combine(r.Directory, taskId, "2")));
        Assert.Equal(3, r.Sim.Sim.ResultFileDownloads);
    }

    [Fact]
    public async Task A_download_failing_twice_with_500_is_stored_on_the_third_attempt()
    {
        await using var r = await SimulatedResults.StartAsync();
        var results = (await r.SucceededResultsAsync(n: 1)).Take(1).ToList();
        r.Sim.Sim.InjectResultFileFault(SimulatedFault.ServerError, 2);

        var outcome = Assert.IsType<RehostOutcome.Stored>(await r.Rehoster.RehostAsync(TaskIds.New(), results, CancellationToken.None));

        Assert.Equal(PngSha256, Assert.Single(outcome.Files).Sha256);
        Assert.Equal(3, r.Sim.Sim.ResultFileDownloads);
    }

    [Fact]
    public async Task Transient_failures_stop_after_max_attempts_and_the_error_says_so_without_the_query_string()
    {
        await using var r = await SimulatedResults.StartAsync(o => o.MaxAttempts = 3);
        var result = (await r.SucceededResultsAsync(n: 1))[0];
        var signed = result with { Url = result.Url + "?Signature=s3cr3t&Expires=1" };
        r.Sim.Sim.InjectResultFileFault(SimulatedFault.ServerError, 10);
        var taskId = TaskIds.New();

        var failed = Assert.IsType<RehostOutcome.Failed>(await r.Rehoster.RehostAsync(taskId, [signed], CancellationToken.None));

        Assert.Equal("result_download_failed", failed.Error.Code);
        Assert.True(failed.Error.Retryable);
        Assert.Equal($"Result 0 could not be downloaded from {result.Url} after 3 attempts: HTTP 500.", failed.Error.Message);
        Assert.DoesNotContain("s3cr3t", failed.Error.Message);
        Assert.Equal(3, r.Sim.Sim.ResultFileDownloads);
        Assert.Empty(r.FilesOf(taskId));
    }

    [Fact]
    public async Task An_expired_url_404_is_not_retried_and_the_files_already_stored_are_removed()
    {
        await using var r = await SimulatedResults.StartAsync();
        var good = (await r.SucceededResultsAsync(n: 1))[0];
        var expired = new TaskResult(1, good.Url.Replace("/0.png", "/9.png").Replace("/files/", "/files/expired-"), "image");
        var taskId = TaskIds.New();

        var failed = Assert.IsType<RehostOutcome.Failed>(await r.Rehoster.RehostAsync(taskId, [good, expired], CancellationToken.None));

        Assert.Equal("result_download_failed", failed.Error.Code);
        Assert.False(failed.Error.Retryable);
        Assert.EndsWith("after 1 attempt: HTTP 404.", failed.Error.Message);
        Assert.StartsWith("Result 1 ", failed.Error.Message);
        Assert.Empty(r.FilesOf(taskId));
        Assert.Null(await r.Store.OpenAsync(taskId, 0, CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_oversized_file_is_result_too_large_tried_once_and_leaves_no_file(bool chunked)
    {
        await using var r = await SimulatedResults.StartAsync(o => o.MaxBytes = 10_000);
        var results = (await r.SucceededResultsAsync(n: 1)).Take(1).ToList();
        r.Sim.Sim.Options.ResultFileBytes = 1_000_000;
        r.Sim.Sim.Options.ResultFilesChunked = chunked;
        var taskId = TaskIds.New();

        var failed = Assert.IsType<RehostOutcome.Failed>(await r.Rehoster.RehostAsync(taskId, results, CancellationToken.None));

        Assert.Equal(new TaskError("result_too_large", "Result 0 is larger than the 10000-byte limit.", false), failed.Error);
        Assert.Equal(1, r.Sim.Sim.ResultFileDownloads);
        Assert.Empty(r.FilesOf(taskId));
    }

    [Fact]
    public async Task A_second_run_keeps_the_files_already_stored_without_downloading_again()
    {
        await using var r = await SimulatedResults.StartAsync();
        var results = await r.SucceededResultsAsync(n: 1);
        var taskId = TaskIds.New();
        var first = Assert.IsType<RehostOutcome.Stored>(await r.Rehoster.RehostAsync(taskId, results, CancellationToken.None));

        var second = Assert.IsType<RehostOutcome.Stored>(await r.Rehoster.RehostAsync(taskId, results, CancellationToken.None));

        Assert.Equal(first.Files, second.Files);
        Assert.Equal(2, r.Sim.Sim.ResultFileDownloads);
    }

    [Fact]
    public async Task Cancellation_is_thrown_not_reported_as_a_failure()
    {
        await using var r = await SimulatedResults.StartAsync();
        var results = await r.SucceededResultsAsync(n: 1);
        r.Sim.Sim.InjectResultFileFault(SimulatedFault.Timeout, 1);
        using var cts = new CancellationTokenSource();
        var rehost = r.Rehoster.RehostAsync(TaskIds.New(), results.Take(1).ToList(), cts.Token);
        await Support.Eventually.Until(() => Task.FromResult(r.Sim.Sim.ResultFileDownloads), n => n == 1, TimeSpan.FromSeconds(10), "the download to start");

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rehost);
    }
}
