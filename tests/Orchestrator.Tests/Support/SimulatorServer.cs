using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Simulator;

namespace Orchestrator.Tests.Support;

/// <summary>The provider simulator on its own loopback port, as a separate provider host would be.</summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatorServer(WebApplication app)
    {
        _app = app;
        Sim = app.Services.GetRequiredService<ProviderSimulator>();
        BaseUrl = app.Urls.First().TrimEnd('/') + "/";
    }

    public ProviderSimulator Sim { get; }

    /// <summary>Base URL with a trailing slash, e.g. http://127.0.0.1:41234/.</summary>
    public string BaseUrl { get; }

    /// <param name="held">Holds chosen provider answers back until the test releases them (a call kept in flight).</param>
    public static async Task<SimulatorServer> StartAsync(SimulatorOptions options, TimeProvider? clock = null, HeldAnswers? held = null)
    {
        var app = SimulatorProgram.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], options, clock);
        if (held is not null) app.Use(held.InvokeAsync);
        await app.StartAsync();
        return new SimulatorServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
