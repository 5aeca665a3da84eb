namespace Orchestrator.ResultFiles;

/// <summary>
/// Where re-hosted result files are kept. The default keeps them under <c>Orchestrator:Results:Directory</c>; register
/// another implementation (S3, Azure Blob, …) before <c>AddOrchestrator</c> to replace it. Implementations must be
/// thread-safe: files of many tasks are saved and read at once.
/// </summary>
public interface IResultStore
{
    /// <summary>
    /// Stores <paramref name="content"/> as file <paramref name="index"/> of a task, replacing any earlier one. Streams
    /// it (never holds the whole file in memory), computes its SHA-256 on the way, and makes it visible only once
    /// complete, so a crash never leaves a partial file readable.
    /// </summary>
    /// <param name="taskId">The orchestrator's task id.</param>
    /// <param name="index">The result's index in the task's result list.</param>
    /// <param name="content">The file, read once to its end.</param>
    /// <param name="contentType">The media type to serve it with; null means <c>application/octet-stream</c>.</param>
    /// <param name="maxBytes">Largest size accepted.</param>
    /// <param name="ct">Stops the copy; nothing is kept.</param>
    /// <exception cref="ResultTooLargeException">More than <paramref name="maxBytes"/> arrived; nothing is kept.</exception>
    /// <exception cref="ArgumentException">The task id cannot name a file safely (e.g. it holds <c>/</c> or <c>..</c>).</exception>
    Task<StoredFile> SaveAsync(string taskId, int index, Stream content, string? contentType, long maxBytes, CancellationToken ct);

    /// <summary>Opens a stored file for reading, or null if the task has no complete file with that index.</summary>
    /// <exception cref="ArgumentException">The task id cannot name a file safely.</exception>
    Task<StoredFileContent?> OpenAsync(string taskId, int index, CancellationToken ct);

    /// <summary>Removes every stored file of a task; nothing happens if it has none.</summary>
    /// <exception cref="ArgumentException">The task id cannot name a file safely.</exception>
    Task DeleteAsync(string taskId, CancellationToken ct);
}
