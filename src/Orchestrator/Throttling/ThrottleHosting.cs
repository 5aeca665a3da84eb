using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Orchestrator.Providers;

namespace Orchestrator.Throttling;

/// <summary>Registers the provider throttles (one per enabled account, behind the <c>throttles</c> router) with a host's actor system.</summary>
public static class ThrottleHosting
{
    /// <summary>Each throttle's own thread: permits must go out on time even when blocking journal I/O starves the pool.</summary>
    public const string Dispatcher = "orchestrator.throttle-dispatcher";

    /// <summary>
    /// Starts <c>/user/throttles</c> (registered as <see cref="ProviderThrottles"/>) from the <see cref="ProviderDirectory"/>
    /// in the host's services, and routes the provider clients' own calls (token requests) through it.
    /// </summary>
    public static AkkaConfigurationBuilder WithProviderThrottles(this AkkaConfigurationBuilder builder) => builder
        .AddHocon(ConfigurationFactory.ParseString($"{Dispatcher} {{ type = PinnedDispatcher }}"), HoconAddMode.Append)
        .WithActors((system, registry, resolver) =>
        {
            var providers = resolver.GetService<ProviderDirectory>();
            foreach (var unknown in providers.UnknownTypes)
                system.Log.Warning("Provider account {0} has an unknown Type and is ignored", unknown);
            var throttles = system.ActorOf(ProviderThrottles.Props(providers), "throttles");
            providers.UsePermitGate(new ThrottleGate(throttles, providers.Clock));
            registry.Register<ProviderThrottles>(throttles);
        });

    /// <summary>
    /// Cluster mode's <see cref="WithProviderThrottles"/>: each account's <see cref="ProviderThrottle"/> is one entity of the
    /// <c>throttles</c> shard region for the whole cluster, so its QPS window and concurrency slots count every node's
    /// calls. Every node's <c>/user/throttles</c> router addresses it. A throttle started anew (its node died, or its
    /// shard moved) grants nothing for one window, since it cannot know what its previous incarnation granted.
    /// </summary>
    internal static AkkaConfigurationBuilder WithShardedProviderThrottles(this AkkaConfigurationBuilder builder) => builder
        .AddHocon(ConfigurationFactory.ParseString($"{Dispatcher} {{ type = PinnedDispatcher }}"), HoconAddMode.Append)
        .WithShardRegion<ProviderThrottle>("throttles", (_, _, resolver) =>
            {
                var providers = resolver.GetService<ProviderDirectory>();
                return account => ProviderThrottle.Props(providers.Find(account)!, providers.Clock, clustered: true).WithDispatcher(Dispatcher);
            },
            new AccountShards(),
            new ShardOptions { ShouldPassivateIdleEntities = false, RememberEntities = false, StateStoreMode = StateStoreMode.DData })
        .WithActors((system, registry, resolver) =>
        {
            var providers = resolver.GetService<ProviderDirectory>();
            var throttles = system.ActorOf(ProviderThrottles.Props(providers, registry.Get<ProviderThrottle>()), "throttles");
            providers.UsePermitGate(new ThrottleGate(throttles, providers.Clock));
            registry.Register<ProviderThrottles>(throttles);
        });
}

/// <summary>
/// One shard per provider account, named after it (the throttles, the Chanjing token owners): accounts are few, and each is one entity. Messages come in a
/// <see cref="ShardingEnvelope"/> naming the account, which the region itself opens.
/// </summary>
internal sealed class AccountShards : IMessageExtractor
{
    public string? EntityId(object message) => null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => null;

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
