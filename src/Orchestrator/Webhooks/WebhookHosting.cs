using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Pattern;
using Akka.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orchestrator.Events;
using Orchestrator.Secrets;

namespace Orchestrator.Webhooks;

/// <summary>Wires webhooks into a host: called by the orchestrator's own DI and Akka.Hosting extensions.</summary>
public static class WebhookHosting
{
    /// <summary>
    /// Options, the <c>webhooks</c> HTTP client (no redirects, internal targets refused at connect time), sender, facade,
    /// and the protector that encrypts the secrets the registry journals (its key ring in <paramref name="keyRing"/>).
    /// </summary>
    internal static IServiceCollection AddWebhookServices(this IServiceCollection services, WebhookOptions options, string keyRing)
    {
        if (options.Problems() is { Count: > 0 } problems) throw new InvalidOperationException(string.Join(" ", problems));
        services.AddSingleton(options);
        var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        services.AddHttpClient(WebhookSender.HttpClientName, http =>
            {
                http.Timeout = timeout;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("Orchestrator-Webhooks");
            })
            .ConfigurePrimaryHttpMessageHandler(() => WebhookTargetPolicy.CreateHandler(options.AllowPrivateTargets, timeout < TimeSpan.FromSeconds(10) ? timeout : TimeSpan.FromSeconds(10),
                options.AllowLoopbackTargets == true))
            .RedactLoggedHeaders(_ => true);
        services.AddSingleton<WebhookSender>();
        services.AddSingleton(sp => new WebhookHealth(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<WebhookSubscriptions>();
        services.TryAddSingleton<ITaskWebhookBody>(DefaultTaskWebhookBody.Instance);
        services.TryAddSingleton<ISecretProtector>(sp => new KeyRingSecretProtector(keyRing, sp.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>
    /// Starts <c>/user/webhooks</c> (registered as <see cref="WebhookRegistry"/>: a backoff supervisor that forwards to the
    /// registry, <c>/user/webhooks/registry</c>) and through it every endpoint's deliverer;
    /// commits their offsets on shutdown. Needs the task actors (<see cref="Tasks.TaskHosting.WithTaskActors"/>): deliveries
    /// follow the completion stream.
    /// </summary>
    public static AkkaConfigurationBuilder WithWebhooks(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry, resolver) =>
        {
            var webhooks = system.ActorOf(RegistryProps(system, resolver), "webhooks");
            registry.Register<WebhookRegistry>(webhooks);
            FlushOnShutdown(system, webhooks);
        });

    /// <summary>
    /// Cluster mode's <see cref="WithWebhooks"/>: the registry and its deliverers run as one cluster singleton, so each
    /// endpoint is delivered by one node at a time (every node follows the same journal: a registry on each would deliver
    /// each completion once per node, and write the same persistence ids). Every node's <see cref="WebhookRegistry"/> is
    /// the singleton's proxy. When the singleton's node goes, the oldest node left takes over from the committed offsets.
    /// </summary>
    internal static AkkaConfigurationBuilder WithClusterWebhooks(this AkkaConfigurationBuilder builder) => builder
        .WithSingleton<WebhookRegistry>("webhooks", (system, _, resolver) => RegistryProps(system, resolver), new ClusterSingletonOptions(), createProxyToo: true)
        .WithActors((system, registry, _) => FlushOnShutdown(system, registry.Get<WebhookRegistry>()));

    private static Props RegistryProps(ActorSystem system, Akka.DependencyInjection.IDependencyResolver resolver)
    {
        // Every endpoint follows the same completion stream: one journal query and one view read per completion.
        var feed = resolver.GetService<CompletionFeed>();
        var completions = new CompletionBroadcast(feed.Source, feed.CurrentSource, system.Materializer());
        var states = new CompletionBroadcast(feed.StateSource, feed.CurrentStateSource, system.Materializer());
        var runtime = new WebhookRuntime(resolver.GetService<WebhookOptions>(), resolver.GetService<WebhookSender>(),
            completions, resolver.GetService<TimeProvider>(), resolver.GetService<WebhookHealth>(), resolver.GetService<ISecretProtector>(),
            resolver.GetService<ITaskWebhookBody>(), states);
        // The registry stops when the journal refuses one of its writes: its supervisor starts it again, sooner than
        // a restart of the process would, and is what the registry key names, so messages keep finding it.
        return BackoffSupervisor.Props(Backoff.OnStop(WebhookRegistry.Props(runtime), "registry",
            minBackoff: TimeSpan.FromSeconds(1), maxBackoff: TimeSpan.FromSeconds(30), randomFactor: 0.2, maxNrOfRetries: -1));
    }

    private static void FlushOnShutdown(ActorSystem system, IActorRef webhooks) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "commit-webhook-offsets", async () =>
        {
            try { await webhooks.Ask<WebhooksFlushed>(FlushWebhooks.Instance, TimeSpan.FromSeconds(8)); }
            catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException) { }
            return Akka.Done.Instance;
        });
}
