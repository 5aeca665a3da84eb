using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Batches;
using Orchestrator.Callbacks;
using Orchestrator.Cluster;
using Orchestrator.Events;
using Orchestrator.Polling;
using Orchestrator.Persistence;
using Orchestrator.Providers;
using Orchestrator.ReadModel;
using Orchestrator.ResultFiles;
using Orchestrator.Secrets;
using Orchestrator.Tasks;
using Orchestrator.Throttling;
using Orchestrator.Webhooks;

namespace Orchestrator.Hosting;

/// <summary>Wires the orchestrator into a host. The server uses exactly these calls.</summary>
public static class OrchestratorServiceCollectionExtensions
{
    /// <summary>Name of the configuration section the options bind from.</summary>
    public const string SectionName = "Orchestrator";

    /// <summary>Adds the orchestrator and its actor system, bound from the <c>Orchestrator</c> section of <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddOrchestrator(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new OrchestratorOptions();
        configuration.GetSection(SectionName).Bind(options);
        return services.AddOrchestrator(options);
    }

    /// <summary>
    /// Adds the orchestrator with an actor system of its own (named <c>orchestrator</c>) from a code-first options object.
    /// A host that runs Akka.NET already calls <see cref="AddOrchestratorServices(IServiceCollection, OrchestratorOptions)"/>
    /// and adds <see cref="WithOrchestrator"/> to its own <c>AddAkka</c> instead.
    /// </summary>
    public static IServiceCollection AddOrchestrator(this IServiceCollection services, OrchestratorOptions options)
    {
        services.AddOrchestratorServices(options);
        // The actor system is the orchestrator's own here, so its log may go where the host's log goes.
        // The host stops the actor system (Akka.Hosting runs its coordinated shutdown when the host stops), after the
        // host's own stopping work such as letting requests under way finish: Akka's SIGTERM hook would stop it first.
        services.AddAkka("orchestrator", (builder, sp) => builder
            .AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", Akka.Hosting.HoconAddMode.Prepend)
            .WithAkkaLogsToHostLogging(options).WithOrchestrator(sp));
        return services;
    }

    /// <summary>
    /// Registers the orchestrator's services bound from the <c>Orchestrator</c> section, without an actor system: for
    /// hosts that already call <c>AddAkka</c> and add <see cref="WithOrchestrator"/> to it.
    /// </summary>
    public static IServiceCollection AddOrchestratorServices(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new OrchestratorOptions();
        configuration.GetSection(SectionName).Bind(options);
        return services.AddOrchestratorServices(options);
    }

    /// <summary>
    /// Registers the orchestrator's services (options, providers, validator, facade) without an actor system,
    /// for hosts that already call <c>AddAkka</c> and add <see cref="WithOrchestrator"/> to it.
    /// </summary>
    public static IServiceCollection AddOrchestratorServices(this IServiceCollection services, OrchestratorOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(sp => new ProviderDirectory(sp.GetRequiredService<OrchestratorOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TaskValidator>();
        services.AddSingleton(sp => new PollLearning(sp.GetRequiredService<OrchestratorOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new CallbackTokens(sp.GetRequiredService<OrchestratorOptions>()));
        services.AddResultFiles();
        services.AddSingleton<OrchestratorReadiness>();
        services.AddSingleton(sp => new ReadModelDatabase(sp.GetRequiredService<OrchestratorOptions>().Storage));
        services.AddSingleton<LiveTaskViews>();
        services.AddSingleton(_ => new Timelines.TaskTimelines());
        services.AddSingleton<ProjectionProgress>();
        services.AddSingleton<TaskReadModel>();
        services.AddSingleton(sp => new BatchRegistry(sp.GetRequiredService<ReadModelDatabase>()));
        services.AddSingleton(sp => new CompletionFeed(sp.GetRequiredService<Akka.Actor.ActorSystem>(), sp.GetRequiredService<TaskReadModel>()));
        services.AddSingleton<IOrchestrator, ActorOrchestrator>();
        services.AddWebhookServices(options.Webhooks, KeyRingSecretProtector.DirectoryFor(options));
        return services;
    }

    /// <summary>
    /// Adds the orchestrator to an Akka.Hosting builder, one capability after the other: its own journal and snapshot
    /// store, the provider throttles, the task actors, batches and webhooks. It leaves the system's default journal,
    /// snapshot store and loggers alone, so a host that runs Akka.NET already keeps its own set-up. With
    /// <see cref="ClusterModeOptions.Enabled"/> it also makes the system a cluster node (<see cref="Cluster.ClusterHosting"/>).
    /// </summary>
    public static AkkaConfigurationBuilder WithOrchestrator(this AkkaConfigurationBuilder builder, IServiceProvider sp)
    {
        var options = sp.GetRequiredService<OrchestratorOptions>();
        builder.WithOrchestratorCluster(options).WithOrchestratorPersistence(options.Storage);
        // Cluster mode: the same actors, the tasks, each account's throttle and Chanjing token owner sharded over the nodes.
        if (options.Cluster.Enabled) builder.WithShardedChanjingTokens().WithShardedProviderThrottles().WithShardedTaskActors();
        else builder.WithProviderThrottles().WithTaskActors();
        return options.Cluster.Enabled
            ? builder.WithClusterBatches().WithClusterWebhooks()
            : builder.WithBatches().WithWebhooks();
    }

    // Akka's own log lines (at AkkaLogLevel and above) go to the host's ILoggerFactory instead of Akka's console logger.
    // Only for an actor system of the orchestrator's own: a host that runs Akka.NET already has its loggers set up.
    private static AkkaConfigurationBuilder WithAkkaLogsToHostLogging(this AkkaConfigurationBuilder builder, OrchestratorOptions options) =>
        builder.ConfigureLoggers(logging =>
        {
            logging.LogLevel = Enum.TryParse<Akka.Event.LogLevel>(options.AkkaLogLevel + "Level", ignoreCase: true, out var level)
                ? level
                : Akka.Event.LogLevel.InfoLevel;
            logging.ClearLoggers();
            logging.AddLoggerFactory();
        });
}
