using System.Net.Http.Headers;

namespace Orchestrator.Cli.Http;

/// <summary>
/// Adds the API key to each request for the server's own origin (scheme, host and port), and to no other: result
/// downloads may go to a provider's URL, which must never receive our key.
/// </summary>
public sealed class ServerKeyHandler(Uri server, string? apiKey) : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (apiKey is not null && request.RequestUri is { IsAbsoluteUri: true } uri
            && Uri.Compare(uri, server, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return base.SendAsync(request, cancellationToken);
    }
}
