using Orchestrator.Simulator;

namespace Orchestrator.Tests.Support;

/// <summary>
/// A test class with its own provider simulator on loopback and the real server (same Program as <c>dotnet run</c>,
/// its own journal: a SQLite file, or a PostgreSQL database when the class is marked <see cref="OnPostgresAttribute"/>)
/// pointed at it; both stop after the class's tests.
/// </summary>
public abstract class ServerTest : IAsyncLifetime
{
    protected ServerTest(SimulatorOptions simulator)
    {
        SimOptions = simulator;
        Store = TestStores.For(GetType());
    }

    protected TestStore Store { get; }
    protected TempDirectory Dir => Store.Dir;
    protected SimulatorOptions SimOptions { get; }
    protected SimulatorServer Sim { get; private set; } = null!;
    protected OrchestratorServer Server { get; private set; } = null!;

    /// <summary>More <c>--key=value</c> settings for the server.</summary>
    protected virtual string[] ServerArgs => [];

    public async Task InitializeAsync()
    {
        Sim = await SimulatorServer.StartAsync(SimOptions);
        Server = await OrchestratorServer.StartAsync(Store, Sim.BaseUrl, ServerArgs);
    }

    /// <summary>Stops the server, tasks in flight and all, and starts a new one on the same journal, as after a deploy.</summary>
    protected async Task RestartServerAsync()
    {
        await Server.DisposeAsync();
        Server = await OrchestratorServer.StartAsync(Store, Sim.BaseUrl, ServerArgs);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Sim.DisposeAsync();
        Store.Dispose();
    }
}
