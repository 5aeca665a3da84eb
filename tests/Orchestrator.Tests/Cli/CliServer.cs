using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cli;

/// <summary>
/// One real server (and simulator) on loopback for every CLI test: the CLI only talks HTTP, so the tests share it
/// and each looks only at its own tasks (a tenant or a batch of its own).
/// </summary>
public sealed class CliServer : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;

    public OrchestratorServer Server { get; private set; } = null!;

    /// <summary>The simulator's behaviour, read on every call: a test may make its tasks fail for a while (the collection runs one test at a time).</summary>
    public SimulatorOptions SimOptions { get; } = new() { ImageMinSeconds = 0.3, ImageMaxSeconds = 0.8 };

    /// <summary>The base URL to pass as <c>--server</c>.</summary>
    public string Url => Server.Http.BaseAddress!.ToString();

    public async Task InitializeAsync()
    {
        // No simulated failures: a test that expects exit 0 after --wait needs every task to succeed.
        _sim = await SimulatorServer.StartAsync(SimOptions);
        // Webhook receivers in the tests listen on loopback.
        Server = await OrchestratorServer.StartAsync(_dir.SqliteConnectionString(), _sim.BaseUrl, Webhooks.WebhookTestServer.AllowPrivate);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await _sim.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Runs the CLI in-process against this server, as `orchestrator --server URL args…` with output redirected.</summary>
    public Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(["--server", Url, .. args]);
}

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliServer>
{
    public const string Name = "Cli";
}
