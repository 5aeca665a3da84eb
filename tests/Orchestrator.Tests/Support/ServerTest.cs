using Orchestrator.Simulator;

namespace Orchestrator.Tests.Support;

/// <summary>
/// A test class with its own provider simulator on loopback and the real server (same Program as <c>dotnet run</c>,
/// its own SQLite file) pointed at it; both stop after the class's tests.
/// </summary>
public abstract class ServerTest(SimulatorOptions simulator) : IAsyncLifetime
{
    protected TempDirectory Dir { get; } = new();
    protected SimulatorOptions SimOptions { get; } = simulator;
    protected SimulatorServer Sim { get; private set; } = null!;
    protected OrchestratorServer Server { get; private set; } = null!;

    /// <summary>More <c>--key=value</c> settings for the server.</summary>
    protected virtual string[] ServerArgs => [];

    public async Task InitializeAsync()
    {
        Sim = await SimulatorServer.StartAsync(SimOptions);
        Server = await OrchestratorServer.StartAsync(Dir.SqliteConnectionString(), Sim.BaseUrl, ServerArgs);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Sim.DisposeAsync();
        Dir.Dispose();
    }
}
