using System.Text.Json;
using Orchestrator.Contracts;
using Orchestrator.Hosting;
using Orchestrator.Providers;
using Orchestrator.Server.Api;
using Orchestrator.Simulator;

namespace Orchestrator.Server;

/// <summary>
/// The HTTP service: <c>dotnet run --project src/Orchestrator.Server</c>. Defaults (config/appsettings.json):
/// http://127.0.0.1:5080, SQLite under data/, the built-in simulator served in-process under <c>/simulator</c>.
/// </summary>
public static class ServerProgram
{
    public const string SimulatorPath = "/simulator";

    public static async Task Main(string[] args) => await Build(args).RunAsync();

    public static WebApplication Build(string[] args)
    {
        // The SQLite driver blocks pool threads on every journal write; without spare threads ready, a burst of writes
        // stalls timers and HTTP for the half second the pool takes to grow.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16 * Environment.ProcessorCount), io);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var urls = builder.Configuration["Urls"] ?? "http://127.0.0.1:5080";
        builder.WebHost.UseUrls(urls);

        var options = builder.Configuration.GetSection(OrchestratorServiceCollectionExtensions.SectionName).Get<OrchestratorOptions>() ?? new OrchestratorOptions();
        var inProcessSimulator = builder.Configuration.GetValue("Simulator:InProcess", true);
        if (inProcessSimulator) PointSimulatorAccountAtSelf(options, urls);

        builder.Services.AddOrchestrator(options);
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();

        ProviderSimulator? simulator = null;
        if (inProcessSimulator)
        {
            var simulatorOptions = builder.Configuration.GetSection("Simulator").Get<SimulatorOptions>() ?? new SimulatorOptions();
            // The simulator dies with this process, a real provider would not: it keeps its tasks in a table beside the journal,
            // so tasks in flight at a crash still finish after the restart.
            if (string.IsNullOrWhiteSpace(simulatorOptions.ConnectionString) && options.Storage.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
                simulatorOptions.ConnectionString = options.Storage.ConnectionString;
            simulator = new ProviderSimulator(simulatorOptions);
            builder.Services.AddSingleton(simulator);
        }

        var app = builder.Build();
        app.UseExceptionHandler();
        TaskEndpoints.Map(app);
        EventEndpoints.Map(app);
        CallbackEndpoints.Map(app);
        ResultEndpoints.Map(app);
        BatchEndpoints.Map(app);
        WebhookEndpoints.Map(app);
        if (simulator is not null) app.MapProviderSimulator(simulator, SimulatorPath);
        return app;
    }

    /// <summary>The simulator account defaults to the simulator this process serves, on its own first URL.</summary>
    private static void PointSimulatorAccountAtSelf(OrchestratorOptions options, string urls)
    {
        if (!options.Providers.TryGetValue(ProviderTypes.Simulator, out var account))
            options.Providers[ProviderTypes.Simulator] = account = new ProviderAccountOptions { Qps = 50 };
        if (!string.IsNullOrWhiteSpace(account.BaseUrl)) return;
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0].Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1").Replace("*", "127.0.0.1").Replace("+", "127.0.0.1");
        account.BaseUrl = first.TrimEnd('/') + SimulatorPath + "/";
    }
}

/// <summary>The API's JSON: camelCase, enums in snake case (<c>timed_out</c>); the conventions live with the records in Orchestrator.Contracts.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions o) => WireJson.Configure(o);

    public static JsonSerializerOptions Options => WireJson.Options;
}
