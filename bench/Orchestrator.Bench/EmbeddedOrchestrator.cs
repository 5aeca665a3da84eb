using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;

namespace Orchestrator.Bench;

/// <summary>Where the journal lives: <c>Sqlite</c> (a file in the scenario's directory) or <c>PostgreSql</c> (a given connection string).</summary>
public sealed record StorageChoice(string Provider, string? ConnectionString)
{
    public bool IsSqlite => Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase);

    public string ConnectionStringIn(string dataDirectory) => ConnectionString ?? $"Data Source={Path.Combine(dataDirectory, "orchestrator.db")}";
}

/// <summary>
/// The orchestrator embedded in a generic host through its public API (<c>AddOrchestrator(IConfiguration)</c>), configured
/// from keys as an appsettings file would configure it, so options that exist only in a later build (e.g.
/// <c>Orchestrator:Retention:EndedTaskDays</c>) bind when present and are ignored when not.
/// </summary>
public sealed class EmbeddedOrchestrator : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedOrchestrator(IHost host) => _host = host;

    public IOrchestrator Orchestrator => _host.Services.GetRequiredService<IOrchestrator>();

    /// <summary>
    /// What the scenarios share: one <c>simulator</c> account at <paramref name="simulatorBaseUrl"/> with a QPS that never
    /// binds, polls at 0.2 s (a zero-time task is done at its first poll), ended tasks passivated after 2 s, result files in
    /// the scenario's directory. <paramref name="overrides"/> (<c>Orchestrator:Key=Value</c>) are applied last.
    /// </summary>
    public static Dictionary<string, string?> Settings(string dataDirectory, string simulatorBaseUrl, StorageChoice storage, IEnumerable<string> overrides)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Orchestrator:Storage:Provider"] = storage.Provider,
            ["Orchestrator:Storage:ConnectionString"] = storage.ConnectionStringIn(dataDirectory),
            ["Orchestrator:Providers:simulator:Type"] = "simulator",
            ["Orchestrator:Providers:simulator:BaseUrl"] = simulatorBaseUrl,
            ["Orchestrator:Providers:simulator:Qps"] = "1000000",
            ["Orchestrator:Polling:ImageFloorSeconds"] = "0.2",
            ["Orchestrator:Polling:ImagePriorSeconds"] = "0.2",
            ["Orchestrator:Tasks:PassivateAfterSeconds"] = "2",
            ["Orchestrator:Results:Directory"] = Path.Combine(dataDirectory, "results"),
            ["Orchestrator:Callbacks:SecretFile"] = Path.Combine(dataDirectory, "callback-secret"),
            ["Orchestrator:AkkaLogLevel"] = "Warning",
        };
        foreach (var o in overrides)
        {
            var eq = o.IndexOf('=', StringComparison.Ordinal);
            settings[o[..eq]] = o[(eq + 1)..];
        }
        return settings;
    }

    public static async Task<EmbeddedOrchestrator> StartAsync(Dictionary<string, string?> settings)
    {
        RaiseThreadPoolFloor();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        // No default configuration sources: an appsettings.json or environment variable must not change the figures.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOrchestrator(configuration);
        var host = builder.Build();
        await host.StartAsync();
        var embedded = new EmbeddedOrchestrator(host);
        await embedded.Orchestrator.WhenReady;
        return embedded;
    }

    /// <summary>
    /// As <c>ServerProgram</c> does at start: the SQLite driver blocks a pool thread per journal write, and a pool that
    /// must grow first stalls timers (and the bench's own clocks) for the half second it takes.
    /// </summary>
    public static void RaiseThreadPoolFloor()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16 * Environment.ProcessorCount), io);
    }

    public static string Describe(Dictionary<string, string?> settings, params string[] keys) =>
        string.Join(", ", keys.Select(k => $"{k.Replace("Orchestrator:", "", StringComparison.Ordinal)}={settings.GetValueOrDefault(k) ?? "default"}"));

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
