using System.Text.Json;
using Orchestrator.Contracts;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.Providers;
using Orchestrator.Secrets;
using Orchestrator.Server.Api;
using Orchestrator.Server.Relay;
using Orchestrator.Server.Security;
using Orchestrator.Server.Telemetry;
using Orchestrator.Simulator;
using Orchestrator.Webhooks;

namespace Orchestrator.Server;

/// <summary>
/// The HTTP service: <c>dotnet run --project src/Orchestrator.Server</c>. Defaults (config/appsettings.json):
/// http://127.0.0.1:5080, SQLite under data/, the built-in simulator served in-process under <c>/simulator</c>.
/// </summary>
public static class ServerProgram
{
    public const string SimulatorPath = "/simulator";

    /// <summary>
    /// Runs the server. It exits 2 with the reason on standard error when it refuses to start (<see cref="StartupRefusedException"/>),
    /// and 1 with one line saying why when its journal cannot be used at start-up.
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        try
        {
            await Build(args).RunAsync();
            return 0;
        }
        catch (StartupRefusedException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
        catch (Exception e) when (StorageProblem(e) is { } problem)
        {
            // An operator's mistake (a read-only file, a database that is not there), not a crash: no stack trace.
            await Console.Error.WriteLineAsync($"Orchestrator did not start: {problem.Message}");
            return 1;
        }
    }

    private static StorageUnavailableException? StorageProblem(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is StorageUnavailableException found) return found;
            if (e is AggregateException { InnerExceptions: [var only] }) return StorageProblem(only);
        }
        return null;
    }

    public static WebApplication Build(string[] args)
    {
        // The SQLite driver blocks pool threads on every journal write; without spare threads ready, a burst of writes
        // stalls timers and HTTP for the half second the pool takes to grow.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16 * Environment.ProcessorCount), io);
        // Options are read once at start: no file watchers on the configuration (each is an inotify instance and a
        // recursive watch of the content root).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args], ContentRootPath = AppContext.BaseDirectory,
        });
        var urls = builder.Configuration["Urls"] ?? "http://127.0.0.1:5080";
        builder.WebHost.UseUrls(urls);
        // Endpoints that read a body raise this for themselves (RequestBodyLimits); the rest read none.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestBodyLimits.OtherBytes);

        var options = builder.Configuration.GetSection(OrchestratorServiceCollectionExtensions.SectionName).Get<OrchestratorOptions>() ?? new OrchestratorOptions();
        var listenUrls = ListenUrls(builder.Configuration, urls).ToList();
        var keys = ListenGuard.Check(builder.Configuration, listenUrls);
        if (Cluster.ClusterConfig.Problems(options) is { Count: > 0 } clusterProblems)
            throw new StartupRefusedException($"Refusing to start: {string.Join(" ", clusterProblems)}");
        var relay = RelayHosting.ReadOptions(builder.Configuration);
        options.Webhooks.AllowLoopbackTargets ??= WebhookTargetPolicy.ListensOnLoopbackOnly(listenUrls);
        // The in-process simulator keeps its table in the journal's SQLite file: check the file can be written before
        // anything opens it, so that a read-only one is reported as such.
        if (options.Storage.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase)) StorageConfig.Prepare(options.Storage);
        ProviderSimulator? simulator = null;
        if (builder.Configuration.GetValue("Simulator:InProcess", true))
        {
            var simulatorOptions = builder.Configuration.GetSection("Simulator").Get<SimulatorOptions>() ?? new SimulatorOptions();
            // The simulator dies with this process, a real provider would not: it keeps its tasks in a table, so tasks in
            // flight at a crash still finish after the restart.
            if (string.IsNullOrWhiteSpace(simulatorOptions.ConnectionString)) simulatorOptions.ConnectionString = SimulatorDatabase(options);
            simulator = new ProviderSimulator(simulatorOptions);
            builder.Services.AddSingleton(simulator);
            if (PointSimulatorAccountAtSelf(options, urls) is { } account) UseSimulatorDurationsAsPrior(account, simulator, options.Polling);
        }

        builder.Services.AddOrchestrator(options);
        builder.Services.AddSingleton(keys);
        builder.Services.AddRelay(relay, builder.Configuration);
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddSingleton<GracefulShutdown>();
        builder.Services.AddReadinessChecks(builder.Configuration);
        builder.Services.AddApiDocument();
        var telemetry = builder.AddServerTelemetry();
        builder.Services.AddSingleton(telemetry);
        // SIGTERM to exit within 10 s: requests under way get GracefulShutdown.DrainFor, the actor system the rest.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var app = builder.Build();
        LogStartLine(app, options, keys);
        app.UseExceptionHandler();
        app.UseUnsupportedMediaTypeProblems();
        app.UseGracefulShutdown();
        // Before the cross-site refusal and the key check: a link from another page may open it; its data still needs a key.
        app.UseDashboard();
        app.UseCrossSiteRefusal();
        app.UseApiKeys(keys);
        app.MapHealthEndpoints();
        app.MapTaskEndpoints();
        app.MapResultEndpoints();
        app.MapBatchEndpoints();
        app.MapEventEndpoints();
        app.MapWebhookEndpoints();
        app.MapCallbackEndpoints();
        app.MapProviderEndpoints();
        app.MapAdminEndpoints();
        app.MapServerTelemetry(telemetry);
        app.MapApiDocument();
        app.MapRelay(relay);
        // The simulator stands for a provider: its API checks the provider's own keys, its control routes answer loopback only.
        // It is not this API, so the API document leaves it out.
        if (simulator is not null)
            app.MapProviderSimulator(simulator, SimulatorPath).AllowWithoutApiKey().WithBodyLimit(RequestBodyLimits.SimulatorBytes).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// One line once listening: where, which journal, which provider accounts. Request lines stay off by default
    /// (<c>Microsoft.AspNetCore</c> logs at Warning); <c>Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information</c>
    /// turns them on.
    /// </summary>
    private static void LogStartLine(WebApplication app, OrchestratorOptions options, ApiKeyRing keys)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orchestrator.Server");
        var providers = app.Services.GetRequiredService<ProviderDirectory>();
        // Allowed on loopback only (ListenGuard), and said once, so nobody mistakes an open server for a protected one.
        if (keys.IsEmpty)
            app.Lifetime.ApplicationStarted.Register(() => log.LogWarning(
                "No API keys configured ({Setting}): the API is open to every caller on this machine (it listens on loopback only)", ApiKeyRing.SectionName));
        app.Lifetime.ApplicationStarted.Register(() => log.LogInformation("Orchestrator listening on {Urls}; journal {Journal}; key ring {KeyRing}; providers {Providers}",
            string.Join(", ", app.Urls), StorageConfig.Describe(options.Storage), app.Services.GetRequiredService<ISecretProtector>().KeyRing,
            string.Join(", ", providers.Accounts.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Select(a => a.Enabled
                ? $"{a.Name} ({a.Type.Name} at {a.BaseUrl}, {a.Options.Qps} QPS)"
                : $"{a.Name} ({a.Type.Name}, off: {a.DisabledReason})"))));
    }

    /// <summary>Every URL the server listens on: its <c>Urls</c>, and any endpoints under <c>Kestrel:Endpoints</c> (which replace them).</summary>
    private static IEnumerable<string> ListenUrls(IConfiguration configuration, string urls)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        return endpoints.Count > 0 ? endpoints : urls.Split(';', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Where the in-process simulator keeps its tasks: in the journal's SQLite file, or, when the journal is on PostgreSQL,
    /// in a SQLite file of its own (<c>simulator.db</c>) beside the result folder. A demo's table has no place in the
    /// operator's database, and the result folder is local state this server keeps anyway.
    /// </summary>
    private static string SimulatorDatabase(OrchestratorOptions options)
    {
        if (options.Storage.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase)) return options.Storage.ConnectionString;
        var results = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Results.Directory));
        return $"Data Source={Path.Combine(Path.GetDirectoryName(results) ?? results, "simulator.db")}";
    }

    /// <summary>
    /// The simulator account defaults to the simulator this process serves, on its own first URL. Returns the account
    /// when it now points there, null when it names a base URL of its own.
    /// </summary>
    private static ProviderAccountOptions? PointSimulatorAccountAtSelf(OrchestratorOptions options, string urls)
    {
        if (!options.Providers.TryGetValue(ProviderTypes.Simulator, out var account))
            options.Providers[ProviderTypes.Simulator] = account = new ProviderAccountOptions { Qps = 50 };
        if (!string.IsNullOrWhiteSpace(account.BaseUrl)) return null;
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0].Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1").Replace("*", "127.0.0.1").Replace("+", "127.0.0.1");
        account.BaseUrl = first.TrimEnd('/') + SimulatorPath + "/";
        return account;
    }

    /// <summary>
    /// Until it has learned, the in-process simulator account polls first where the simulator's own durations say its
    /// first tasks end (their <c>1 − LagShare</c> quantile, where the planner aims a first poll), unless the account sets
    /// a prior itself: the general priors are for real providers, and would keep a 3 s simulated image waiting 10 s.
    /// </summary>
    private static void UseSimulatorDurationsAsPrior(ProviderAccountOptions account, ProviderSimulator simulator, PollingOptions polling)
    {
        // The simulator account speaks the DMXAPI protocol with its key (sim-key unless set), as ProviderTypes wires it.
        var key = account.ApiKey ?? "sim-key";
        var behaviour = simulator.AccountsFor(SimulatedProtocols.Dmxapi).FirstOrDefault(a => a.ApiKey == key)?.Behaviour
            ?? AccountBehaviour.Resolve(new SimulatedAccountOptions(), simulator.Options);
        account.ImagePriorSeconds ??= behaviour.DurationQuantile(video: false, 1 - polling.LagShare);
        account.VideoPriorSeconds ??= behaviour.DurationQuantile(video: true, 1 - polling.LagShare);
    }
}

/// <summary>The API's JSON: camelCase, enums in snake case (<c>timed_out</c>); the conventions live with the records in Orchestrator.Contracts.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions o) => WireJson.Configure(o);

    public static JsonSerializerOptions Options => WireJson.Options;
}
