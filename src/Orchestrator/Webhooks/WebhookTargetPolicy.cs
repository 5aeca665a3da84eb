using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Webhooks;

/// <summary>
/// Where webhooks may go: absolute http/https URLs whose host is not on loopback, a private or link-local network,
/// CGNAT, multicast or an unspecified address, unless <see cref="WebhookOptions.AllowPrivateTargets"/> is on (loopback
/// alone: <see cref="WebhookOptions.AllowLoopbackTargets"/>).
/// Literal addresses are checked when a URL is given; every address a name resolves to is checked again when the
/// connection is made (<see cref="CreateHandler"/>), so a name that later resolves inward (DNS rebinding) is refused.
/// </summary>
internal static class WebhookTargetPolicy
{
    /// <summary>The longest URL a webhook target (or a task's <c>imageUrl</c>) may be.</summary>
    public const int MaxUrlLength = 2000;

    /// <summary>Why <paramref name="url"/> may not be a webhook target, or null when it may.</summary>
    public static string? Check(string? url, bool allowPrivateTargets, bool allowLoopbackTargets = false)
    {
        if (string.IsNullOrWhiteSpace(url)) return "Required: an absolute http or https URL.";
        if (url.Length > MaxUrlLength) return $"At most {MaxUrlLength} characters.";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return "An absolute http or https URL.";
        if (uri.UserInfo.Length > 0) return "A URL without user name or password (the signature authenticates the sender).";
        if (uri.Fragment.Length > 0) return "A URL without a fragment (#…).";
        if (allowPrivateTargets) return null;
        var host = uri.IdnHost.Trim('[', ']').TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return allowLoopbackTargets ? null : "Loopback targets are refused (Orchestrator:Webhooks:AllowPrivateTargets and AllowLoopbackTargets are off).";
        if (IPAddress.TryParse(host, out var ip) && IsInternal(ip) && !(allowLoopbackTargets && IsLoopback(ip)))
            return "Loopback, private, link-local and other internal addresses are refused (Orchestrator:Webhooks:AllowPrivateTargets is off).";
        return null;
    }

    /// <summary>Whether <paramref name="ip"/> is a loopback address (127.0.0.0/8, <c>::1</c>, or one of those mapped to IPv6).</summary>
    public static bool IsLoopback(IPAddress ip) => IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);

    /// <summary>
    /// Whether a server listening on <paramref name="urls"/> (its <c>Urls</c> setting, e.g. <c>http://127.0.0.1:5080</c>) can
    /// be called from its own machine alone: every URL names <c>localhost</c> or a loopback address. A wildcard
    /// (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>), another address or a host name, or no URL at all, is not.
    /// </summary>
    public static bool ListensOnLoopbackOnly(IEnumerable<string> urls)
    {
        var any = false;
        foreach (var url in urls)
        {
            any = true;
            // Kestrel's wildcards are no valid host names, so they do not parse: not loopback, as intended.
            if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)) return false;
            var host = uri.Host.Trim('[', ']');
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) continue;
            if (!IPAddress.TryParse(host, out var ip) || !IsLoopback(ip)) return false;
        }
        return any;
    }

    /// <summary>Whether <paramref name="ip"/> is loopback, private, link-local, CGNAT, unspecified, multicast or reserved.</summary>
    public static bool IsInternal(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return b[0] == 0                                   // 0.0.0.0/8 "this network", unspecified
                || b[0] == 10                                  // 10/8
                || b[0] == 127                                 // loopback
                || b[0] == 100 && (b[1] & 0xC0) == 64          // 100.64/10 carrier-grade NAT
                || b[0] == 169 && b[1] == 254                  // link-local (cloud metadata lives here)
                || b[0] == 172 && (b[1] & 0xF0) == 16          // 172.16/12
                || b[0] == 192 && b[1] == 168                  // 192.168/16
                || b[0] == 192 && b[1] == 0 && b[2] == 0       // 192.0.0/24 protocol assignments
                || b[0] == 198 && (b[1] & 0xFE) == 18          // 198.18/15 benchmarking
                || b[0] >= 224;                                // multicast 224/4, reserved 240/4, broadcast
        }
        if (ip.AddressFamily != AddressFamily.InterNetworkV6) return true;
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.IPv6None) || ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6Multicast) return true;
        var v6 = ip.GetAddressBytes();
        if ((v6[0] & 0xFE) == 0xFC) return true;               // fc00::/7 unique local
        // NAT64 (64:ff9b::/96) and IPv4-compatible (::/96) forms carry an IPv4 address: judge that one.
        if (v6[0] == 0 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0
            || v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
            return IsInternal(new IPAddress(v6.AsSpan(12, 4)));
        return false;
    }

    /// <summary>
    /// The addresses a connection to <paramref name="host"/> may use: all of them when private targets are allowed,
    /// otherwise those that are not internal (or are loopback, when loopback targets are allowed). Throws
    /// <see cref="WebhookTargetRefusedException"/> when none is left.
    /// </summary>
    public static async Task<IPAddress[]> AllowedAddressesAsync(string host, bool allowPrivateTargets, bool allowLoopbackTargets, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        if (allowPrivateTargets) return addresses;
        var allowed = addresses.Where(a => !IsInternal(a) || allowLoopbackTargets && IsLoopback(a)).ToArray();
        return allowed.Length > 0 ? allowed : throw new WebhookTargetRefusedException();
    }

    /// <summary>
    /// The primary handler of the <c>webhooks</c> HTTP client: no redirects, no proxy, and a connect step that refuses
    /// internal addresses after name resolution.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(bool allowPrivateTargets, TimeSpan connectTimeout, bool allowLoopbackTargets = false) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await AllowedAddressesAsync(context.DnsEndPoint.Host, allowPrivateTargets, allowLoopbackTargets, ct).ConfigureAwait(false);
            return await ConnectAsync(addresses, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
        },
    };

    /// <summary>A TCP connection to the first of <paramref name="addresses"/> that answers (already checked by the caller).</summary>
    internal static async ValueTask<Stream> ConnectAsync(IPAddress[] addresses, int port, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A webhook target resolved only to addresses the policy refuses.</summary>
internal sealed class WebhookTargetRefusedException()
    : Exception("The webhook target resolves only to loopback, private or other internal addresses (Orchestrator:Webhooks:AllowPrivateTargets is off).");
