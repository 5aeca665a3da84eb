using Akka.Actor;
using Orchestrator.Providers;
using Orchestrator.Providers.Chanjing;

namespace Orchestrator.Cluster;

/// <summary>
/// Cluster mode's Chanjing token owner: one entity per account in the <c>chanjing-tokens</c> shard region, so one
/// fetcher for the whole cluster (a new token invalidates the previous one, so one fetcher per node would keep knocking
/// the others' tokens out). A thin actor around <see cref="ChanjingTokenOwner"/>, which fetches at most one token at a
/// time and skips a replacement someone already made; answers are piped, so asks are never held behind a fetch.
/// </summary>
internal sealed class ChanjingTokenEntity : ReceiveActor
{
    public ChanjingTokenEntity(ChanjingTokenOwner owner)
    {
        Receive<AskChanjingToken>(ask =>
        {
            if (ask is { Held: { } offered, HeldExpires: { } expires, Refused: false }) owner.Adopt(offered, expires);
            var answer = ask is { Refused: true, Held: { } rejected } ? owner.ReplaceAsync(rejected, CancellationToken.None) : owner.CurrentAsync(CancellationToken.None);
            answer.ContinueWith(t => t.IsCompletedSuccessfully
                    ? new ChanjingTokenAnswer(t.Result.Token, owner.Current?.Expires ?? default, t.Result.Error)
                    : new ChanjingTokenAnswer(null, default, new ProviderError("token_owner_failed", "The Chanjing token owner could not fetch a token.", true)),
                TaskScheduler.Default).PipeTo(Sender);
        });
    }

    public static Props Props(ProviderDirectory providers, string account) =>
        Akka.Actor.Props.Create(typeof(ChanjingTokenEntity), ChanjingTokenOwner.For(providers.ContextFor(account)));
}
