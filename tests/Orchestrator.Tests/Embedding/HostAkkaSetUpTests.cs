using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Hosting;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Embedding;

/// <summary>
/// A host that runs Akka.NET with its own default journal, snapshot store and logger adds the orchestrator to its actor
/// system: the host's set-up stays what it was, and the orchestrator keeps to its own SQLite file.
/// </summary>
public sealed class HostAkkaSetUpTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.3, ImageMaxSeconds = 0.6 });

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_host_keeps_its_default_journal_and_its_logger_and_the_orchestrators_tasks_go_to_the_orchestrators_database()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestrator:Storage:ConnectionString"] = _dir.SqliteConnectionString(),
            ["Orchestrator:Providers:simulator:Type"] = "simulator",
            ["Orchestrator:Providers:simulator:BaseUrl"] = _sim.BaseUrl,
            ["Orchestrator:Providers:simulator:Qps"] = "50",
            ["Orchestrator:Polling:ImagePriorSeconds"] = "0.3",
            ["Orchestrator:Polling:ImageFloorSeconds"] = "0.2",
            ["Orchestrator:Results:Enabled"] = "false",
        });
        builder.Services.AddOrchestratorServices(builder.Configuration);
        builder.Services.AddAkka("the-hosts-own-system", (akka, sp) => akka
            // The host's own set-up, as it was before the orchestrator came: in-memory persistence, its own logger at Debug.
            .WithInMemoryJournal()
            .WithInMemorySnapshotStore()
            .ConfigureLoggers(logging =>
            {
                logging.LogLevel = Akka.Event.LogLevel.DebugLevel;
                logging.ClearLoggers();
                logging.AddLogger<HostsLogger>();
            })
            .WithOrchestrator(sp));
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var orchestrator = host.Services.GetRequiredService<IOrchestrator>();
        await orchestrator.WhenReady.WaitAsync(TimeSpan.FromSeconds(30));

        // The host's persistent actor writes to the host's default journal, never into the orchestrator's file.
        var notebookId = $"hosts-notebook-{Guid.NewGuid():N}";
        var notebook = system.ActorOf(Props.Create(() => new Notebook(notebookId)));
        Assert.Equal("written", await notebook.Ask<string>("a line of the host's", TimeSpan.FromSeconds(10)));
        Assert.Equal(0, await RowsAsync(notebookId));
        Assert.Equal("akka.persistence.journal.inmem", system.Settings.Config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("akka.persistence.snapshot-store.inmem", system.Settings.Config.GetString("akka.persistence.snapshot-store.plugin"));
        await notebook.GracefulStop(TimeSpan.FromSeconds(5));
        var again = system.ActorOf(Props.Create(() => new Notebook(notebookId)));
        Assert.Equal(["a line of the host's"], await again.Ask<string[]>(Notebook.Read.Instance, TimeSpan.FromSeconds(10)));

        // The orchestrator's task is journaled in the orchestrator's SQLite file.
        var (view, _) = await orchestrator.SubmitAsync(TaskSubmission.TextToImage("simulator", "kling-v1-5", "a heron"));
        var final = await orchestrator.WaitForCompletionAsync(view.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.True(await RowsAsync(TaskIds.PersistenceId(view.Id)) >= 3, "the task's events are in the orchestrator's database");

        // The host's logger still hears the host's Debug lines.
        var line = $"the host's own debug line {Guid.NewGuid():N}";
        system.Log.Debug(line);
        await Eventually.Until(() => Task.FromResult(HostsLogger.Heard.ToArray()), heard => heard.Contains(line), TimeSpan.FromSeconds(10),
            "the host's logger to hear the host's debug line");
        await host.StopAsync();
    }

    private async Task<long> RowsAsync(string persistenceId)
    {
        await using var connection = new SqliteConnection(_dir.SqliteConnectionString());
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = $id";
        cmd.Parameters.AddWithValue("$id", persistenceId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>A persistent actor of the host's, on the system's default journal.</summary>
    private sealed class Notebook : ReceivePersistentActor
    {
        public sealed record Read
        {
            public static readonly Read Instance = new();
        }

        private readonly List<string> _lines = [];

        public Notebook(string persistenceId)
        {
            PersistenceId = persistenceId;
            Recover<string>(_lines.Add);
            Command<string>(line => Persist(line, _ =>
            {
                _lines.Add(line);
                Sender.Tell("written");
            }));
            Command<Read>(_ => Sender.Tell(_lines.ToArray()));
        }

        public override string PersistenceId { get; }
    }

    /// <summary>The host's own Akka logger: keeps every line it is given.</summary>
    private sealed class HostsLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
    {
        public static readonly ConcurrentQueue<string> Heard = new();

        public HostsLogger()
        {
            Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
            Receive<LogEvent>(e => Heard.Enqueue(e.Message.ToString() ?? ""));
        }
    }
}
