using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Orchestrator.Providers;
using Orchestrator.Throttling;

namespace Orchestrator.Cluster;

/// <summary>Cluster mode's Chanjing token owners: one per account for the whole cluster.</summary>
internal static class ChanjingTokenHosting
{
    /// <summary>
    /// The <c>chanjing-tokens</c> shard region, one <see cref="ChanjingTokenEntity"/> per account, and every node's Chanjing
    /// clients asking it (<see cref="ClusterChanjingTokens"/>). A sharded entity per account rather than a cluster
    /// singleton: it is the throttles' arrangement (one shard per account, placed by the same coordinator), an owner that
    /// moves takes one account's token with it rather than every account's, and nothing hinges on the oldest node. The
    /// traffic does not decide it: nodes keep the token and ask only at first, near expiry and after a refusal.
    /// Must come before the throttles, whose batch pollers make the first clients.
    /// </summary>
    public static AkkaConfigurationBuilder WithShardedChanjingTokens(this AkkaConfigurationBuilder builder) => builder
        .WithShardRegion<ChanjingTokenEntity>("chanjing-tokens", (_, _, resolver) =>
            {
                var providers = resolver.GetService<ProviderDirectory>();
                return account => ChanjingTokenEntity.Props(providers, account);
            },
            new AccountShards(),
            new ShardOptions { ShouldPassivateIdleEntities = false, RememberEntities = false, StateStoreMode = StateStoreMode.DData })
        .WithActors((_, registry, resolver) =>
        {
            var region = registry.Get<ChanjingTokenEntity>();
            var providers = resolver.GetService<ProviderDirectory>();
            providers.UseSharedChanjingTokens(account => new ClusterChanjingTokens(region, account, providers.Clock));
        });
}
