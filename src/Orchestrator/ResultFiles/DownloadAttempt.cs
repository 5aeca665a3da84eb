using System.Net.Http.Headers;
using Orchestrator.Webhooks;

namespace Orchestrator.ResultFiles;

/// <summary>Why one download attempt failed, and whether another attempt may succeed.</summary>
internal sealed record DownloadFailure(string Reason, bool Retryable, TimeSpan? RetryAfter = null, bool TooLarge = false)
{
    public static readonly DownloadFailure OverLimit = new("too large", Retryable: false, TooLarge: true);
}

/// <summary>
/// One attempt at fetching a result file into the store. Every way it can go wrong short of cancellation comes back
/// as a <see cref="DownloadFailure"/>; none quotes the URL, whose query string may carry a signature.
/// </summary>
internal static class DownloadAttempt
{
    // sources: which URLs (the first and each redirect) may be fetched; every one when null.
    public static async Task<(StoredFile? File, DownloadFailure? Failure)> RunAsync(
        HttpClient http, IResultStore store, string taskId, int index, Uri url, ResultOptions options, TimeProvider clock, CancellationToken ct,
        ResultSources? sources = null)
    {
        sources ??= ResultSources.Any;
        var timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
        // One deadline for headers and body together: HttpClient.Timeout stops counting once the headers are in.
        using var deadline = new CancellationTokenSource(timeout, clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            HttpResponseMessage response;
            for (var hops = 0; ; hops++)
            {
                if (sources.Refuse(url) is { } refused) return (null, new DownloadFailure($"{(hops == 0 ? "its URL" : "a redirect")} leads to {refused}", Retryable: false));
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, either.Token).ConfigureAwait(false);
                if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location) break;
                response.Dispose();
                if (hops == ResultSources.MaxRedirects) return (null, new DownloadFailure($"more than {ResultSources.MaxRedirects} redirects", Retryable: false));
                url = new Uri(url, location);
            }
            using var answered = response;
            if (!response.IsSuccessStatusCode) return (null, FromStatus(response, clock));
            // An announced size over the limit is refused before a byte of the body is read.
            if (response.Content.Headers.ContentLength > options.MaxBytes) return (null, DownloadFailure.OverLimit);
            await using var body = await response.Content.ReadAsStreamAsync(either.Token).ConfigureAwait(false);
            var stored = await store.SaveAsync(taskId, index, body, MediaTypeOf(response.Content.Headers.ContentType, url), options.MaxBytes, either.Token)
                .ConfigureAwait(false);
            return (stored, null);
        }
        catch (ResultTooLargeException)
        {
            return (null, DownloadFailure.OverLimit);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return (null, new DownloadFailure($"no complete answer within {timeout.TotalSeconds:0.###} s", Retryable: true));
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookTargetRefusedException)
        {
            return (null, new DownloadFailure("it leads to a loopback, private or other internal address", Retryable: false));
        }
        catch (HttpRequestException e)
        {
            // The exception's text can name the host and path; its kind is enough and safe.
            return (null, new DownloadFailure($"the connection failed ({e.HttpRequestError})", Retryable: true));
        }
        catch (HttpIOException e)
        {
            return (null, new DownloadFailure($"the transfer broke off ({e.HttpRequestError})", Retryable: true));
        }
        catch (IOException e)
        {
            // Most likely the store's disk (full or briefly unavailable), which may recover; its message names our paths.
            return (null, new DownloadFailure($"reading or storing it failed ({e.GetType().Name})", Retryable: true));
        }
    }

    private static DownloadFailure FromStatus(HttpResponseMessage response, TimeProvider clock)
    {
        var code = (int)response.StatusCode;
        // 404/403 and their kin mean the URL expired or was never valid: asking again cannot help.
        var retryable = code is 408 or 429 or >= 500;
        return new DownloadFailure($"HTTP {code}", retryable, RetryAfterOf(response.Headers.RetryAfter, clock));
    }

    private static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, TimeProvider clock) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>The served media type; when a CDN says only <c>application/octet-stream</c>, the URL's extension names it better.</summary>
    internal static string? MediaTypeOf(MediaTypeHeaderValue? header, Uri url)
    {
        var declared = header?.MediaType;
        if (declared is not null && declared != "application/octet-stream") return declared;
        return Path.GetExtension(url.AbsolutePath).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".jpg" or ".jpeg" => "image/jpeg",
            ".webp" => "image/webp",
            ".gif" => "image/gif",
            ".mp4" => "video/mp4",
            ".webm" => "video/webm",
            ".mov" => "video/quicktime",
            _ => declared,
        };
    }
}
