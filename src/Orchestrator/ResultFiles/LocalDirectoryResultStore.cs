using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Orchestrator.ResultFiles;

/// <summary>
/// The default <see cref="IResultStore"/>: files on local disk as <c>&lt;directory&gt;/&lt;taskId&gt;/&lt;index&gt;</c>, each
/// beside a <c>&lt;index&gt;.json</c> sidecar holding its media type, size and SHA-256.
/// </summary>
internal sealed class LocalDirectoryResultStore : IResultStore
{
    private const string DefaultContentType = "application/octet-stream";
    private const int MaxTaskIdLength = 128;
    private const int BufferBytes = 81920;
    private static readonly JsonSerializerOptions SidecarJson = new(JsonSerializerDefaults.Web);

    /// <param name="directory">The store's folder; a relative path is resolved now against the current directory.</param>
    public LocalDirectoryResultStore(string directory)
    {
        // Resolved once, so a later change of the current directory cannot move the store.
        Root = Path.GetFullPath(directory);
    }

    /// <summary>The store's folder, as an absolute path.</summary>
    public string Root { get; }

    public async Task<StoredFile> SaveAsync(string taskId, int index, Stream content, string? contentType, long maxBytes, CancellationToken ct)
    {
        var path = FilePath(taskId, index);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        // Written under a temporary name and renamed once complete: a crash never leaves a partial file under the final name.
        var temp = Path.Combine(folder, $".{index.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var (sha256, bytes) = await CopyAsync(content, temp, maxBytes, ct).ConfigureAwait(false);
            var stored = new StoredFile(index, sha256, bytes, string.IsNullOrWhiteSpace(contentType) ? DefaultContentType : contentType);
            // The sidecar is the commit marker (OpenAsync needs it): gone while the content is replaced, written last.
            File.Delete(SidecarPath(path));
            File.Move(temp, path, overwrite: true);
            await WriteSidecarAsync(path, stored, ct).ConfigureAwait(false);
            return stored;
        }
        finally
        {
            File.Delete(temp); // nothing left behind on failure; a no-op after the rename
        }
    }

    public async Task<StoredFileContent?> OpenAsync(string taskId, int index, CancellationToken ct)
    {
        var path = FilePath(taskId, index);
        // Most asks are for files not stored yet (every re-hosting checks first): answer those without throwing, which
        // cost ~300 exceptions a second at full intake. The catch below stays for a file removed in between.
        if (!File.Exists(SidecarPath(path))) return null;
        StoredFile? stored;
        try
        {
            await using var sidecar = new FileStream(SidecarPath(path), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, useAsync: true);
            stored = await JsonSerializer.DeserializeAsync<StoredFile>(sidecar, SidecarJson, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (stored is null) return null;
        try
        {
            // FileShare.Delete: a reader never stops the file from being replaced or its task's files from being removed.
            var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferBytes, useAsync: true);
            return new StoredFileContent(stored, content);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // removed between the two opens
        }
    }

    public Task DeleteAsync(string taskId, CancellationToken ct)
    {
        try
        {
            Directory.Delete(TaskFolder(taskId), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        return Task.CompletedTask;
    }

    private static async Task<(string Sha256, long Bytes)> CopyAsync(Stream content, string path, long maxBytes, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            // bufferSize 0: our buffer already batches the writes.
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, useAsync: true);
            long total = 0;
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferBytes), ct).ConfigureAwait(false)) > 0)
            {
                total += read;
                // Checked before writing, so a sender without a Content-Length cannot fill the disk.
                if (total > maxBytes) throw new ResultTooLargeException(maxBytes);
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
            // On disk before the rename makes it visible, so a power cut cannot leave an empty file under the final name.
            file.Flush(flushToDisk: true);
            return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteSidecarAsync(string path, StoredFile stored, CancellationToken ct)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.json.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            {
                await JsonSerializer.SerializeAsync(file, stored, SidecarJson, ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, SidecarPath(path), overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private string FilePath(string taskId, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return Path.Combine(TaskFolder(taskId), index.ToString(CultureInfo.InvariantCulture));
    }

    private string TaskFolder(string taskId)
    {
        // Ids become folder names: ASCII letters, digits, '-' and '_' only, so no id can climb out of the store
        // ("..", "/", "\") or collide with the store's hidden temporary files.
        if (string.IsNullOrEmpty(taskId) || taskId.Length > MaxTaskIdLength || !taskId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"A task id for result files is 1 to {MaxTaskIdLength} ASCII letters, digits, '-' or '_'.", nameof(taskId));
        return Path.Combine(Root, taskId);
    }

    private static string SidecarPath(string path) => path + ".json";
}
