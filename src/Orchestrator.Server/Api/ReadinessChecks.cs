using Akka.Actor;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.Providers;
using Orchestrator.ReadModel;

namespace Orchestrator.Server.Api;

/// <summary>
/// What <c>/readyz</c> checks, as ASP.NET Core health checks (tagged <see cref="Tag"/>): the server has started and is not
/// stopping, the journal answers a read and takes writes, the read model has caught up within a bound, and every enabled
/// provider account is configured.
/// </summary>
public static class ReadinessChecks
{
    /// <summary>The tag of the checks <c>/readyz</c> runs.</summary>
    public const string Tag = "ready";

    /// <summary>How long the read model may stay behind a journal position it was seen to lag (<c>Orchestrator:Health:ReadModelLagSeconds</c>).</summary>
    public static TimeSpan ReadModelLagBound(IConfiguration configuration) =>
        TimeSpan.FromSeconds(configuration.GetValue("Orchestrator:Health:ReadModelLagSeconds", 30.0));

    /// <summary>Registers the readiness checks.</summary>
    public static IServiceCollection AddReadinessChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var bound = ReadModelLagBound(configuration);
        services.AddSingleton(sp => new ReadModelLagCheck(sp.GetRequiredService<ReadModelDatabase>(), sp.GetRequiredService<ProjectionProgress>(), bound));
        services.AddHealthChecks()
            .AddCheck<StartedCheck>("started", tags: [Tag])
            .AddCheck<JournalCheck>("journal", tags: [Tag], timeout: TimeSpan.FromSeconds(5))
            .Add(new HealthCheckRegistration("read-model", sp => sp.GetRequiredService<ReadModelLagCheck>(), null, [Tag], TimeSpan.FromSeconds(5)))
            .AddCheck<ProviderAccountsCheck>("providers", tags: [Tag]);
        return services;
    }

    private sealed class StartedCheck(IOrchestrator orchestrator, GracefulShutdown shutdown) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) => Task.FromResult(
            shutdown.IsStopping ? HealthCheckResult.Unhealthy("shutting down")
            : orchestrator.IsReady ? HealthCheckResult.Healthy("journal read and interrupted tasks resumed")
            : HealthCheckResult.Unhealthy("starting: reading the journal and resuming interrupted tasks"));
    }

    /// <summary>Reachable (a read answers now) and taking writes (as its own recent writes show: none failing or stalled).</summary>
    private sealed class JournalCheck(ActorSystem system, ReadModelDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            try
            {
                await using var connection = await database.OpenAsync(ct);
                await using var probe = connection.CreateCommand();
                probe.CommandText = "SELECT 1";
                await probe.ExecuteScalarAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The type only: a driver's message may quote the connection string.
                return HealthCheckResult.Unhealthy($"the journal's database does not answer ({ex.GetType().Name})");
            }
            return JournalHealth.For(system).Problem() is { } problem
                ? HealthCheckResult.Unhealthy(problem)
                : HealthCheckResult.Healthy("answers reads and takes writes");
        }
    }

    private sealed class ProviderAccountsCheck(ProviderDirectory providers) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            // Switched off on purpose (Enabled: false) is not a fault; switched on but missing a setting is.
            var unconfigured = providers.Accounts.Where(a => a.Options.Enabled && !a.Enabled).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
            var usable = providers.Accounts.Count(a => a.Enabled);
            var data = unconfigured.ToDictionary(a => a.Name, a => (object)a.DisabledReason!);
            if (usable == 0)
                return Task.FromResult(HealthCheckResult.Unhealthy("no provider account is configured", data: data));
            // Tasks for the other accounts still run: degraded (200), and named, rather than a node taken out of service.
            return Task.FromResult(unconfigured.Count > 0
                ? HealthCheckResult.Degraded($"{usable} account(s) usable; not configured: {string.Join(", ", unconfigured.Select(a => a.Name))}", data: data)
                : HealthCheckResult.Healthy($"{usable} account(s) configured"));
        }
    }
}
