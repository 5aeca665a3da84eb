using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Tasks;

namespace Orchestrator.ResultFiles;

/// <summary>
/// Copies a succeeded task's result files from the provider's URLs, which expire, into the <see cref="IResultStore"/>.
/// Transient failures (connection errors, timeouts, HTTP 5xx, 408, 429) are retried with backoff; an expired URL
/// (other 4xx) or an oversized file is not. Download failures come back as <see cref="RehostOutcome.Failed"/>, never thrown.
/// Thread-safe; one instance bounds downloads over all tasks.
/// </summary>
internal sealed class ResultRehoster
{
    /// <summary>The name of the <see cref="HttpClient"/> taken from <see cref="IHttpClientFactory"/>.</summary>
    public const string HttpClientName = "results";

    private readonly IResultStore _store;
    private readonly IHttpClientFactory _http;
    private readonly ResultOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _downloads;

    private readonly ResultSources _sources;

    public ResultRehoster(IResultStore store, IHttpClientFactory http, ResultOptions options, TimeProvider clock, ILogger<ResultRehoster>? log = null,
        ResultSources? sources = null)
    {
        _sources = sources ?? ResultSources.Any;
        _store = store;
        _http = http;
        _options = options;
        _clock = clock;
        _log = log ?? NullLogger<ResultRehoster>.Instance;
        _downloads = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentDownloads));
    }

    /// <summary>Whether re-hosting is switched on (<see cref="ResultOptions.Enabled"/>); when off, tasks keep the provider's URLs only.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>Removes the stored files of a task that ended otherwise while they were being stored (best effort, logged).</summary>
    public async Task DiscardAsync(string taskId)
    {
        try
        {
            await _store.DeleteAsync(taskId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning(e, "Could not remove the stored results of task {TaskId}", taskId);
        }
    }

    /// <summary>
    /// Stores every file of <paramref name="results"/> under <paramref name="taskId"/>, at each result's index. Files
    /// already stored (by a run a crash cut short) are kept, not fetched again. If any file fails, the others are
    /// abandoned and all of the task's files are removed.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled; files stored so far stay.</exception>
    /// <exception cref="ArgumentException">The store refuses <paramref name="taskId"/> as a file name.</exception>
    public async Task<RehostOutcome> RehostAsync(string taskId, IReadOnlyList<TaskResult> results, CancellationToken ct)
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var files = await Task.WhenAll(results.Select(r => RehostFileAsync(taskId, r, abandon, ct))).ConfigureAwait(false);
        var error = files.Select(f => f.Error).FirstOrDefault(e => e is not null);
        if (error is null) return new RehostOutcome.Stored([.. files.Select(f => f.File!)]);
        try
        {
            // A failed task keeps no half set of files.
            await _store.DeleteAsync(taskId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            _log.LogWarning(e, "Could not remove the stored results of failed task {TaskId}", taskId);
        }
        return new RehostOutcome.Failed(error);
    }

    /// <returns>The stored file, or the error; neither when abandoned because another file of the task failed.</returns>
    private async Task<(StoredFile? File, TaskError? Error)> RehostFileAsync(string taskId, TaskResult result, CancellationTokenSource abandon, CancellationToken ct)
    {
        try
        {
            await using (var kept = await _store.OpenAsync(taskId, result.Index, abandon.Token).ConfigureAwait(false))
                if (kept is not null) return (kept.File, null);
            if (!Uri.TryCreate(result.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                return Fail(abandon, new TaskError("result_download_failed", $"Result {result.Index} has no valid http(s) URL.", false));
            var http = _http.CreateClient(HttpClientName);
            var maxAttempts = Math.Max(1, _options.MaxAttempts);
            for (var attempt = 1; ; attempt++)
            {
                StoredFile? stored;
                DownloadFailure? failure;
                await _downloads.WaitAsync(abandon.Token).ConfigureAwait(false);
                try
                {
                    (stored, failure) = await DownloadAttempt.RunAsync(http, _store, taskId, result.Index, url, _options, _clock, abandon.Token, _sources).ConfigureAwait(false);
                }
                finally
                {
                    _downloads.Release();
                }
                if (stored is not null) return (stored, null);
                if (failure!.TooLarge)
                    return Fail(abandon, new TaskError("result_too_large", $"Result {result.Index} is larger than the {_options.MaxBytes}-byte limit.", false));
                if (!failure.Retryable || attempt >= maxAttempts)
                    return Fail(abandon, new TaskError("result_download_failed",
                        $"Result {result.Index} could not be downloaded from {WithoutQuery(url)} after {attempt} attempt{(attempt == 1 ? "" : "s")}: {failure.Reason}.",
                        failure.Retryable));
                var delay = DownloadBackoff.After(attempt, _options.RetryBaseSeconds, Random.Shared.NextDouble(), failure.RetryAfter);
                _log.LogWarning("Result {Index} of task {TaskId} from {Url}: attempt {Attempt} failed ({Reason}); retrying in {Delay}",
                    result.Index, taskId, WithoutQuery(url), attempt, failure.Reason, delay);
                await Task.Delay(delay, _clock, abandon.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return (null, null);
        }
    }

    private static (StoredFile?, TaskError?) Fail(CancellationTokenSource abandon, TaskError error)
    {
        abandon.Cancel(); // the task fails anyway: its other downloads stop
        return (null, error);
    }

    /// <summary>The URL fit to quote in an error or log: no user info, query or fragment, where signatures and keys travel.</summary>
    internal static string WithoutQuery(Uri url) => $"{url.Scheme}://{url.Authority}{url.AbsolutePath}";
}
