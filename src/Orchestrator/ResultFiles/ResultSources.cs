using System.Net.Sockets;
using Orchestrator.Webhooks;

namespace Orchestrator.ResultFiles;

/// <summary>
/// Where result files may be fetched from: public addresses, and the configured provider accounts' own base URLs even
/// when those are internal (the built-in simulator on loopback, a relay on the operator's network). Anything else
/// internal — loopback, private, link-local, the server's own API — is refused, at each redirect hop by URL and again
/// when a connection is made (after name resolution), as webhook targets are. <see cref="ResultOptions.AllowPrivateSources"/>
/// turns the address check off.
/// </summary>
internal sealed class ResultSources
{
    /// <summary>Redirects followed per download, at most.</summary>
    public const int MaxRedirects = 5;

    private readonly Uri[] _providers;
    private readonly bool _allowPrivate;

    public ResultSources(IEnumerable<Uri> providerBaseUrls, bool allowPrivate)
    {
        _providers = [.. providerBaseUrls];
        _allowPrivate = allowPrivate;
    }

    /// <summary>Anything goes: for tests and hosts that bring their own HTTP client.</summary>
    public static readonly ResultSources Any = new([], allowPrivate: true);

    /// <summary>
    /// Why <paramref name="url"/> may not be fetched, or null. On a provider's own host and port, only paths under its
    /// base URL may be (the in-process simulator shares its host and port with the server's API).
    /// </summary>
    public string? Refuse(Uri url)
    {
        if (url.Scheme is not ("http" or "https")) return "not an http(s) URL";
        if (_allowPrivate) return null;
        foreach (var p in _providers)
            if (SameAuthority(p, url) && !url.AbsolutePath.StartsWith(p.AbsolutePath, StringComparison.Ordinal))
                return "a path of the provider's host outside its base URL";
        return null;
    }

    /// <summary>The primary handler of the <c>results</c> client: no automatic redirects (each hop is checked), and a connect step that refuses internal addresses other than the providers'.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var provider = _allowPrivate || _providers.Any(p => p.IdnHost.Trim('[', ']').Equals(host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) && p.Port == context.DnsEndPoint.Port);
            var addresses = await WebhookTargetPolicy.AllowedAddressesAsync(host, allowPrivateTargets: provider, allowLoopbackTargets: false, ct).ConfigureAwait(false);
            return await WebhookTargetPolicy.ConnectAsync(addresses, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
        },
    };

    private static bool SameAuthority(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && a.IdnHost.Equals(b.IdnHost, StringComparison.OrdinalIgnoreCase);
}
