using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;
using Orchestrator.Providers;

namespace Orchestrator.ResultFiles;

/// <summary>Registers result re-hosting; part of <see cref="OrchestratorServiceCollectionExtensions.AddOrchestratorServices(IServiceCollection, OrchestratorOptions)"/>.</summary>
internal static class ResultFilesServiceCollectionExtensions
{
    /// <summary>
    /// Adds the default <see cref="IResultStore"/> (unless one is registered already), the <c>results</c> HTTP client
    /// and the <see cref="ResultRehoster"/>, configured from <see cref="OrchestratorOptions.Results"/>.
    /// </summary>
    public static IServiceCollection AddResultFiles(this IServiceCollection services)
    {
        services.TryAddSingleton<IResultStore>(sp => new LocalDirectoryResultStore(sp.GetRequiredService<OrchestratorOptions>().Results.Directory));
        services.AddHttpClient(ResultRehoster.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan) // each attempt has its own deadline
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<ResultSources>().CreateHandler())
            // The factory's request logs quote full URLs, and result URLs carry signatures; the rehoster logs them without.
            .RemoveAllLoggers();
        services.TryAddSingleton(sp => new ResultSources(
            sp.GetRequiredService<ProviderDirectory>().Accounts.Select(a => a.BaseUrl).OfType<Uri>(),
            sp.GetRequiredService<OrchestratorOptions>().Results.AllowPrivateSources));
        services.TryAddSingleton(sp => new ResultRehoster(
            sp.GetRequiredService<IResultStore>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<OrchestratorOptions>().Results,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<ResultRehoster>>(),
            sp.GetRequiredService<ResultSources>()));
        return services;
    }
}
