using Orchestrator.Webhooks;

namespace Orchestrator.Server.Security;

/// <summary>The server refuses to start: a setting is missing or wrong. <see cref="ServerProgram.Main"/> prints the message and exits 2.</summary>
public sealed class StartupRefusedException(string message) : Exception(message);

/// <summary>
/// Keys are required whenever the server listens beyond loopback: anyone who can reach the port could otherwise spend
/// the provider accounts and read every tenant's prompts. On loopback alone the server may run open, as it always did.
/// </summary>
public static class ListenGuard
{
    /// <summary>The ring of the configured keys; throws when they are wrong, or missing on a non-loopback address.</summary>
    /// <exception cref="StartupRefusedException">The keys are invalid, or there are none and <paramref name="listenUrls"/> are not all loopback.</exception>
    public static ApiKeyRing Check(IConfiguration configuration, IEnumerable<string> listenUrls)
    {
        var keys = configuration.GetSection(ApiKeyRing.SectionName).Get<List<ApiKeyOptions>>() ?? [];
        var (ring, errors) = ApiKeyRing.Build(keys);
        if (ring is null)
            throw new StartupRefusedException($"Refusing to start: {ApiKeyRing.SectionName} is invalid: {string.Join(" ", errors)}");
        var urls = listenUrls.ToList();
        if (ring.IsEmpty && !WebhookTargetPolicy.ListensOnLoopbackOnly(urls))
            throw new StartupRefusedException(
                $"Refusing to start: the server listens on {string.Join(", ", urls)}, beyond loopback, and {ApiKeyRing.SectionName} is not set. "
                + $"Configure at least one key (e.g. {EnvironmentName}__0__Key, __0__Role=admin), or listen on 127.0.0.1 only.");
        return ring;
    }

    private static readonly string EnvironmentName = ApiKeyRing.SectionName.Replace(":", "__");
}
