namespace Orchestrator.ResultFiles;

/// <summary>
/// Re-hosting of result files (<c>Orchestrator:Results</c>). Provider URLs expire (after about 30 days), so a succeeded
/// task's files are downloaded into our own store and served from <c>GET /v1/tasks/{id}/results/{index}</c>.
/// </summary>
public sealed class ResultOptions
{
    /// <summary>Whether succeeded tasks' files are downloaded and kept. When false, tasks succeed with the provider's URLs only.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Folder of the default local store. A relative path is taken from the process's current directory, as the
    /// SQLite default is.
    /// </summary>
    public string Directory { get; set; } = "data/results";

    /// <summary>Largest result file accepted, in bytes (default 1 GiB); a larger one fails the task with <c>result_too_large</c>.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>Download attempts per file, the first included, before the task fails with <c>result_download_failed</c>.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first retry, seconds; it doubles per attempt up to 60 s, with ±10% jitter.</summary>
    public double RetryBaseSeconds { get; set; } = 1;

    /// <summary>Longest one download attempt may take, headers and body together, seconds.</summary>
    public double RequestTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// Whether result files (and the redirects they lead to) may come from loopback, private or link-local addresses other
    /// than the configured provider accounts' base URLs. Off by default: a result URL must not make the server fetch
    /// from inside its own network (its own API included) and serve the answer as a task's result.
    /// </summary>
    public bool AllowPrivateSources { get; set; }

    /// <summary>Downloads running at once over all tasks; more wait their turn (waiting retries hold no place).</summary>
    public int MaxConcurrentDownloads { get; set; } = 8;
}
