using System.Net.Http.Headers;
using System.Text;

namespace Orchestrator.Webhooks;

/// <summary>
/// Sends one signed attempt through the <c>webhooks</c> HTTP client and says what it came to; it never throws.
/// Headers per Standard Webhooks: <c>webhook-id</c> (the same on every attempt), <c>webhook-timestamp</c> (this attempt,
/// Unix seconds) and <c>webhook-signature</c>. Only statuses and error kinds are reported: never headers or bodies.
/// </summary>
internal sealed class WebhookSender(IHttpClientFactory clients, TimeProvider clock)
{
    public const string HttpClientName = "webhooks";

    public async Task<AttemptOutcome> SendAsync(string url, string webhookId, string body, byte[] key, CancellationToken ct)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Sign(key, webhookId, timestamp, body));
        try
        {
            var http = clients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            return new AttemptOutcome((int)response.StatusCode, RetryAfterOf(response));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return AttemptOutcome.Failed("timeout");
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookTargetRefusedException)
        {
            return AttemptOutcome.Failed("refused: the target resolves to an internal address");
        }
        catch (HttpRequestException ex)
        {
            return AttemptOutcome.Failed($"connection failed ({ex.HttpRequestError})");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return AttemptOutcome.Failed($"unexpected fault ({ex.GetType().Name})");
        }
    }

    private TimeSpan? RetryAfterOf(HttpResponseMessage r) => r.Headers.RetryAfter switch
    {
        { Delta: { } d } => d,
        { Date: { } date } => date - clock.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
        _ => null,
    };
}
