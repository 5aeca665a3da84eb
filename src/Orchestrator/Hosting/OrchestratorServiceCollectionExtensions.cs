using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orchestrator.Batches;
using Orchestrator.Callbacks;
using Orchestrator.Events;
using Orchestrator.Polling;
using Orchestrator.Persistence;
using Orchestrator.Providers;
using Orchestrator.ResultFiles;
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

    /// <summary>Adds the orchestrator and its actor system from a code-first options object.</summary>
    public static IServiceCollection AddOrchestrator(this IServiceCollection services, OrchestratorOptions options)
    {
        services.AddOrchestratorServices(options);
        services.AddAkka("orchestrator", (builder, sp) => builder.WithOrchestrator(sp));
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
        services.AddSingleton<CompletionFeed>();
        services.AddSingleton<IOrchestrator, ActorOrchestrator>();
        services.AddWebhookServices(options.Webhooks);
        return services;
    }

    /// <summary>Adds the orchestrator's storage configuration and actors to an Akka.Hosting builder.</summary>
    public static AkkaConfigurationBuilder WithOrchestrator(this AkkaConfigurationBuilder builder, IServiceProvider sp)
    {
        var options = sp.GetRequiredService<OrchestratorOptions>();
        StorageConfig.Prepare(options.Storage);
        builder.AddHocon(StorageConfig.Build(options.Storage), HoconAddMode.Prepend);
        // Akka's log goes through the host's ILoggerFactory, so one logging configuration covers both.
        builder.ConfigureLoggers(logging =>
        {
            logging.LogLevel = Enum.TryParse<Akka.Event.LogLevel>(options.AkkaLogLevel + "Level", ignoreCase: true, out var level)
                ? level
                : Akka.Event.LogLevel.InfoLevel;
            logging.ClearLoggers();
            logging.AddLoggerFactory();
        });
        builder.WithActors((system, registry, _) =>
        {
            var providers = sp.GetRequiredService<ProviderDirectory>();
            foreach (var unknown in providers.UnknownTypes)
                system.Log.Warning("Provider account {0} has an unknown Type and is ignored", unknown);
            var throttles = system.ActorOf(ProviderThrottles.Props(providers), "throttles");
            providers.UsePermitGate(new ThrottleGate(throttles, providers.Clock));
            var runtime = new TaskRuntime(options, providers, sp.GetRequiredService<TimeProvider>(), throttles,
                sp.GetRequiredService<PollLearning>(), sp.GetRequiredService<CallbackTokens>(), sp.GetRequiredService<ResultRehoster>());
            var supervisor = system.ActorOf(TaskSupervisor.Props(runtime), "tasks");
            var catalog = system.ActorOf(TaskCatalog.Props(supervisor, sp.GetRequiredService<OrchestratorReadiness>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger("Orchestrator.Tasks")), "catalog");
            registry.Register<ProviderThrottles>(throttles);
            registry.Register<TaskSupervisor>(supervisor);
            registry.Register<TaskCatalog>(catalog);
            var batches = system.ActorOf(BatchDirectory.Props(new BatchRuntime(options, sp.GetRequiredService<TimeProvider>(), supervisor, catalog, throttles)), "batches");
            registry.Register<BatchDirectory>(batches);
        });
        builder.WithWebhooks(sp);
        return builder;
    }
}
