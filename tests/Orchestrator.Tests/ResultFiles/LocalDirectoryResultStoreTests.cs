using System.Security.Cryptography;
using Orchestrator.ResultFiles;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ResultFiles;

/// <summary>The default store on a scratch folder: what is saved is what is opened, and nothing partial or outside it is ever left.</summary>
public sealed class LocalDirectoryResultStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LocalDirectoryResultStore _store;

    public LocalDirectoryResultStoreTests() => _store = new LocalDirectoryResultStore(Path.Combine(_dir.Path, "results"));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_saved_file_opens_with_the_same_bytes_sha256_size_and_media_type()
    {
        var saved = await _store.SaveAsync("task-1", 3, new MemoryStream(SampleMedia.Mp4), "video/mp4", 1024, CancellationToken.None);

        await using var opened = await _store.OpenAsync("task-1", 3, CancellationToken.None);
        Assert.NotNull(opened);
        Assert.Equal(new StoredFile(3, Convert.ToHexStringLower(SHA256.HashData(SampleMedia.Mp4)), SampleMedia.Mp4.Length, "video/mp4"), saved);
        Assert.Equal(saved, opened.File);
        using var copy = new MemoryStream();
        await opened.Content.CopyToAsync(copy);
        Assert.Equal(SampleMedia.Mp4, copy.ToArray());
        // Only the file and its sidecar: no temporary files are left.
        Assert.Equal(["3", "3.json"], Directory.GetFiles(Path.Combine(_store.Root, "task-1")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Saving_again_replaces_the_file_and_an_unknown_type_is_octet_stream()
    {
        await _store.SaveAsync("t", 0, new MemoryStream(SampleMedia.Mp4), "video/mp4", 1024, CancellationToken.None);

        var saved = await _store.SaveAsync("t", 0, new MemoryStream(SampleMedia.Png), null, 1024, CancellationToken.None);

        await using var opened = await _store.OpenAsync("t", 0, CancellationToken.None);
        Assert.Equal(saved, opened!.File);
        Assert.Equal(("application/octet-stream", (long)SampleMedia.Png.Length), (saved.ContentType, opened.Content.Length));
    }

    [Fact]
    public async Task More_bytes_than_the_limit_throw_result_too_large_and_leave_no_file()
    {
        var ex = await Assert.ThrowsAsync<ResultTooLargeException>(() =>
            _store.SaveAsync("t", 0, new MemoryStream(new byte[200_000]), "image/png", 100_000, CancellationToken.None));

        Assert.Equal(100_000, ex.Limit);
        Assert.Empty(Directory.GetFiles(Path.Combine(_store.Root, "t")));
        Assert.Null(await _store.OpenAsync("t", 0, CancellationToken.None));
    }

    [Fact]
    public async Task Exactly_the_limit_is_accepted()
    {
        var saved = await _store.SaveAsync("t", 0, new MemoryStream(SampleMedia.Png), "image/png", SampleMedia.Png.Length, CancellationToken.None);

        Assert.Equal(SampleMedia.Png.Length, saved.Bytes);
    }

    [Fact]
    public async Task An_absent_file_or_task_opens_as_null_and_deleting_removes_every_file_of_the_task()
    {
        Assert.Null(await _store.OpenAsync("never", 0, CancellationToken.None));
        await _store.SaveAsync("t", 0, new MemoryStream(SampleMedia.Png), "image/png", 1024, CancellationToken.None);
        Assert.Null(await _store.OpenAsync("t", 1, CancellationToken.None));

        await _store.DeleteAsync("t", CancellationToken.None);
        await _store.DeleteAsync("t", CancellationToken.None);

        Assert.Null(await _store.OpenAsync("t", 0, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_store.Root, "t")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../escaped")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("/etc")]
    [InlineData(".hidden")]
    [InlineData("a\0b")]
    public async Task Ids_that_could_leave_the_store_are_refused(string taskId)
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            _store.SaveAsync(taskId, 0, new MemoryStream(SampleMedia.Png), "image/png", 1024, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenAsync(taskId, 0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(taskId, CancellationToken.None));

        // Nothing was written anywhere in the scratch folder, inside the store or beside it.
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_negative_index_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.OpenAsync("t", -1, CancellationToken.None));
    }
}
