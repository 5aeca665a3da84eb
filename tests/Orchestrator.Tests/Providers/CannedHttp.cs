using System.Net;
using System.Text;

namespace Orchestrator.Tests.Providers;

/// <summary>
/// Stands in for a real provider host (which cannot be reached from here) with its documented answers, and
/// records exactly what the adapter sent.
/// </summary>
public sealed class CannedHttp(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<(HttpMethod Method, string Path, string? Authorization, string? Body, long? ContentLength)> Sent { get; } = [];

    public static HttpResponseMessage Json(HttpStatusCode status, string body, TimeSpan? retryAfter = null)
    {
        var r = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (retryAfter is { } ra) r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(ra);
        return r;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(ct);
        Sent.Add((request.Method, request.RequestUri!.PathAndQuery, request.Headers.Authorization?.ToString(), body, request.Content?.Headers.ContentLength));
        return answer(request);
    }
}
