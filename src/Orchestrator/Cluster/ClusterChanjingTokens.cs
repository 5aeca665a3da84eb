using Akka.Actor;
using Akka.Cluster.Sharding;
using Orchestrator.Providers;
using Orchestrator.Providers.Chanjing;

namespace Orchestrator.Cluster;

/// <summary>
/// A node's view of an account's Chanjing token in cluster mode: the token last answered by the account's one owner
/// (<see cref="ChanjingTokenEntity"/>), kept here so a call costs no round trip; the owner is asked only at first, when
/// the token nears its expiry, and after Chanjing refused it.
/// </summary>
internal sealed class ClusterChanjingTokens(IActorRef region, string account, TimeProvider clock) : IChanjingTokens
{
    /// <summary>Long enough for the owner to be started elsewhere and fetch (a permit and one call), short enough to fail a call rather than hang it.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private sealed record Held(string Token, DateTimeOffset Expires);

    private Held? _held;

    public Task<(string? Token, ProviderError? Error)> CurrentAsync(CancellationToken ct) =>
        Volatile.Read(ref _held) is { } h && h.Expires - clock.GetUtcNow() > ChanjingTokenOwner.RenewBefore
            ? Task.FromResult<(string?, ProviderError?)>((h.Token, null))
            : AskAsync(refused: false, ct);

    public Task<(string? Token, ProviderError? Error)> ReplaceAsync(string rejected, CancellationToken ct) =>
        // Another call on this node already got the replacement.
        Volatile.Read(ref _held) is { } h && h.Token != rejected && h.Expires - clock.GetUtcNow() > ChanjingTokenOwner.RenewBefore
            ? Task.FromResult<(string?, ProviderError?)>((h.Token, null))
            : AskAsync(refused: true, ct, rejected);

    private async Task<(string? Token, ProviderError? Error)> AskAsync(bool refused, CancellationToken ct, string? rejected = null)
    {
        var held = Volatile.Read(ref _held);
        var ask = new AskChanjingToken(account, rejected ?? held?.Token, rejected is null ? held?.Expires : null, refused);
        try
        {
            var answer = await region.Ask<ChanjingTokenAnswer>(new ShardingEnvelope(account, ask), AskTimeout, ct).ConfigureAwait(false);
            if (answer.Token is { } token) Volatile.Write(ref _held, new Held(token, answer.Expires));
            return (answer.Token, answer.Error);
        }
        catch (AskTimeoutException)
        {
            return (null, new ProviderError("token_owner_unreachable", "The cluster's Chanjing token owner did not answer in time.", true));
        }
    }
}
