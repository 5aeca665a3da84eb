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
}
