using System.Security.Cryptography;
using Orchestrator.Tasks;

namespace Orchestrator.Cli.Http;

/// <summary>What became of one result file.</summary>
/// <param name="Outcome">downloaded, present (already on disk with the same SHA-256), failed, mismatch (SHA-256 differs).</param>
public sealed record DownloadOutcome(int Index, string Outcome, string? Path = null, long? Bytes = null, string? Sha256 = null, string? Message = null)
{
    public const string Downloaded = "downloaded";
    public const string Present = "present";
    public const string Failed = "failed";
    public const string Mismatch = "mismatch";

    public bool IsOnDisk => Outcome is Downloaded or Present;
}

/// <summary>
/// Downloads result files to <c>&lt;dir&gt;/&lt;taskId&gt;-&lt;index&gt;.&lt;ext&gt;</c>: our stored copy when the server has one,
/// else the provider's URL. Bytes go to a <c>.part</c> file, hashed on the way, and are renamed only when the SHA-256
/// matches, so a file with the final name is always whole and right, and a second run skips it.
/// </summary>
public sealed class ResultDownloader(OrchestratorClient client, DirectoryInfo directory)
{
    public async Task<DownloadOutcome> DownloadAsync(TaskView task, TaskResult file, CancellationToken ct)
    {
        var source = file.StoredUrl ?? file.Url;
        if (string.IsNullOrEmpty(source)) return new(file.Index, DownloadOutcome.Failed, Message: "the result has no URL");
        var url = client.Resolve(source);
        var expected = file.Sha256?.ToLowerInvariant();
        try
        {
            var known = PathFor(task, file, ResultFileTypes.Extension(file.ContentType, url));
            if (expected is not null && File.Exists(known) && await Sha256Of(known, ct) == expected)
                return new(file.Index, DownloadOutcome.Present, known, new FileInfo(known).Length, expected);

            using var response = await client.OpenAsync(new HttpRequestMessage(HttpMethod.Get, url), ct);
            var path = PathFor(task, file, ResultFileTypes.Extension(file.ContentType ?? response.Content.Headers.ContentType?.MediaType, url));
            var part = path + ".part";
            var (actual, bytes) = await CopyHashingAsync(response, part, ct);
            if (expected is not null && actual != expected)
            {
                File.Delete(part);
                return new(file.Index, DownloadOutcome.Mismatch, path, bytes, actual, $"expected SHA-256 {expected}");
            }
            File.Move(part, path, overwrite: true);
            return new(file.Index, DownloadOutcome.Downloaded, path, bytes, actual);
        }
        catch (Exception ex) when (ex is HttpRequestException or ApiException or IOException && !ct.IsCancellationRequested)
        {
            return new(file.Index, DownloadOutcome.Failed, Message: $"{url}: {ex.Message}");
        }
    }

    private string PathFor(TaskView task, TaskResult file, string extension)
    {
        // The id comes from the server: keep it from naming a path outside the directory.
        var name = string.Concat($"{task.Id}-{file.Index}.{extension}".Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
        return Path.Combine(directory.FullName, name);
    }

    private static async Task<(string Sha256, long Bytes)> CopyHashingAsync(HttpResponseMessage response, string path, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var input = await response.Content.ReadAsStreamAsync(ct);
        await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
            total += read;
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }

    private static async Task<string> Sha256Of(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }
}

/// <summary>File extensions for result files: from the content type, else from the URL, else <c>bin</c>.</summary>
public static class ResultFileTypes
{
    private static readonly Dictionary<string, string> ByContentType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/png"] = "png", ["image/jpeg"] = "jpg", ["image/webp"] = "webp", ["image/gif"] = "gif",
        ["video/mp4"] = "mp4", ["video/webm"] = "webm", ["video/quicktime"] = "mov",
    };

    public static string Extension(string? contentType, Uri url)
    {
        if (contentType is not null && ByContentType.TryGetValue(contentType.Split(';')[0].Trim(), out var known)) return known;
        var fromUrl = Path.GetExtension(url.AbsolutePath).TrimStart('.');
        return fromUrl.Length is > 0 and <= 5 && fromUrl.All(char.IsAsciiLetterOrDigit) ? fromUrl.ToLowerInvariant() : "bin";
    }
}
