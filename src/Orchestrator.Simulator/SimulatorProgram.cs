using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Simulator;

/// <summary>
/// The simulator on its own port: <c>dotnet run --project src/Orchestrator.Simulator -- --urls http://127.0.0.1:18080</c>.
/// Options come from the <c>Simulator</c> section (e.g. <c>--Simulator:QpsLimit=20</c>,
/// <c>--Simulator:Accounts:0:Name=k1 --Simulator:Accounts:0:Protocol=kling …</c>).
/// </summary>
public static class SimulatorProgram
{
    public static async Task Main(string[] args)
    {
        var app = Build(args);
        await app.RunAsync();
    }

    /// <param name="clock">The simulator's clock (task progress, JWT and token expiry); tests pass a fake one.</param>
    public static WebApplication Build(string[] args, SimulatorOptions? options = null, TimeProvider? clock = null)
    {
        // Its settings are read once: watching appsettings.json would put a recursive inotify watch on the working
        // directory, rebuilt on every change under it (13% of a bench run's CPU, run from the repository).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args], ContentRootPath = AppContext.BaseDirectory,
        });
        options ??= builder.Configuration.GetSection("Simulator").Get<SimulatorOptions>() ?? new SimulatorOptions();
        var sim = new ProviderSimulator(options, clock);
        builder.Services.AddSingleton(sim);
        var app = builder.Build();
        app.MapProviderSimulator(sim);
        return app;
    }
}
