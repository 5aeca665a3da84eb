using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Orchestrator.Providers;

/// <summary>A provider's raw answer: HTTP status, body text and any Retry-After.</summary>
internal sealed record ProviderHttpAnswer(HttpStatusCode Status, string Body, TimeSpan? RetryAfter);

/// <summary>
/// Sends provider calls and turns transport faults into retryable <see cref="ProviderError"/>s.
/// Bodies are buffered (Content-Length, never chunked: some gateways answer chunked requests with 411).
/// Nothing here logs headers, so credentials stay out of logs and errors.
/// </summary>
internal static class ProviderHttp
{
    /// <summary>No connection was made (refused, no route, name or TLS failure): the request never reached the provider.</summary>
    public const string ConnectionFailed = "connection";

    /// <summary>The connection broke after the request was sent (a reset, an answer cut short): the provider may have acted on it.</summary>
    public const string ConnectionLost = "connection_lost";

    /// <summary>Not sent: the call's throttle permit ran out before it could go (<see cref="PermitUseBy"/>). The provider never saw it.</summary>
    public const string NotSent = "not_sent";

    /// <summary>An account's connection handler: pooled connections, each call sent once (<see cref="SingleSendStream"/>).</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PlaintextStreamFilter = SingleSendStream.Wrap,
    };

    public static HttpContent JsonBody<T>(T body, JsonSerializerOptions options)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    public static async Task<(ProviderHttpAnswer? Answer, ProviderError? Fault)> SendAsync(
        HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        if (PermitUseBy.Overdue() is { } late)
        {
            return (null, new ProviderError(NotSent, FormattableString.Invariant(
                $"Not sent: its throttle permit ran out {late.TotalMilliseconds:0} ms before it could go; it goes again under a new permit."), true, RetryAfter: TimeSpan.Zero));
        }
        SingleSendStream.Begin(); // one permit, one arrival at the provider
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            return (new ProviderHttpAnswer(response.StatusCode, body, RetryAfterOf(response)), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, new ProviderError("timeout", $"The provider did not answer {request.Method} {request.RequestUri?.AbsolutePath} in time.", true));
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
        {
            // The exception text can carry the host but never headers; keep only its kind.
            return (null, new ProviderError(ConnectionFailed, $"Connection to the provider failed ({ex.HttpRequestError}).", true));
        }
        catch (HttpRequestException ex)
        {
            // Connected and sent, then the connection was reset or the answer cut short: the provider may have acted on it.
            return (null, new ProviderError(ConnectionLost, $"The connection to the provider was lost before its answer ({ex.HttpRequestError}).", true));
        }
    }

    public static ProviderError Malformed(ProviderHttpAnswer a) =>
        new("malformed_response", $"The provider answered HTTP {(int)a.Status} with a body that could not be read.", true);

    /// <summary>An HTTP failure whose body had no provider code.</summary>
    public static ProviderError FromHttpStatus(ProviderHttpAnswer a)
    {
        var code = (int)a.Status;
        var retryable = code == 429 || code >= 500 || code == 408;
        return new ProviderError($"http_{code}", $"The provider answered HTTP {code}.", retryable, IsRateLimit: code == 429, RetryAfter: a.RetryAfter);
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage r)
    {
        var ra = r.Headers.RetryAfter;
        if (ra is null) return null;
        if (ra.Delta is { } d) return d;
        if (ra.Date is { } date) return date - DateTimeOffset.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        return null;
    }
}
