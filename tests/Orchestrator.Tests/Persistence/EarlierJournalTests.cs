using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Hosting;
using Orchestrator.ResultFiles;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// Earlier versions wrote the journal through Akka.Persistence.Sql's default plugin ids (<c>akka.persistence.journal.sql</c>);
/// the orchestrator now has plugins of its own. Their tables, columns, tags and serializer are the same, so a database
/// written before the change is read after it.
/// </summary>
public sealed class EarlierJournalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_task_journaled_under_the_earlier_default_plugin_ids_is_listed_viewed_and_streamed_after_the_upgrade()
    {
        var id = TaskIds.New();
        var request = TaskActors.Image("written before the upgrade");
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        await WriteAsEarlierVersionsDidAsync(TaskIds.PersistenceId(id),
            new TaskAccepted(id, request, at),
            new TaskSubmitted(id, "provider-1", 1, at.AddSeconds(1)),
            new TaskSucceeded(id, [new TaskResult(0, "https://cdn.test/a.png", "image")], 2, at.AddSeconds(9)));

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var options = TaskActors.Options(_dir.SqliteConnectionString(), "http://127.0.0.1:9/");
        options.Results = new ResultOptions { Enabled = false };
        builder.Services.AddOrchestrator(options);
        using var host = builder.Build();
        await host.StartAsync();
        var orchestrator = host.Services.GetRequiredService<IOrchestrator>();
        await orchestrator.WhenReady.WaitAsync(TimeSpan.FromSeconds(30));

        var view = await orchestrator.GetAsync(id);
        Assert.NotNull(view);
        Assert.Equal(TaskLifecycle.Succeeded, view.Status);
        Assert.Equal("provider-1", view.ProviderTaskId);
        Assert.Equal("https://cdn.test/a.png", Assert.Single(view.Results).Url);
        Assert.Equal(id, Assert.Single((await orchestrator.ListAsync(new ListTasks(null, null, 10, null))).Items).Id);
        // The completion stream reads by tag: the earlier tag rows are found by the new read journal.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var completion in orchestrator.CompletionsAsync(0, timeout.Token))
        {
            Assert.Equal(id, completion.Task.Id);
            break;
        }
        await host.StopAsync();
    }

    /// <summary>The journal configuration every version before the orchestrator's own plugin ids used.</summary>
    private async Task WriteAsEarlierVersionsDidAsync(string persistenceId, params ITaskEvent[] events)
    {
        var cs = _dir.SqliteConnectionString();
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor {
              serializers.orchestrator = "Orchestrator.Persistence.OrchestratorSerializer, Orchestrator"
              serialization-bindings { "Orchestrator.Persistence.IOrchestratorEvent, Orchestrator" = orchestrator }
            }
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { connection-string = "{{cs}}", provider-name = "SQLite.MS", parallelism = 1, tag-write-mode = TagTable, auto-initialize = on }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { connection-string = "{{cs}}", provider-name = "SQLite.MS", auto-initialize = on }
              }
            }
            """).WithFallback(SqlPersistence.DefaultConfiguration);
        var system = ActorSystem.Create("earlier-version", config);
        try
        {
            var writer = system.ActorOf(Props.Create(() => new EarlierTaskWriter(persistenceId)));
            await writer.Ask<Done>(events, TimeSpan.FromSeconds(20));
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed record Done;

    /// <summary>Writes as the task actor did before the event adapter: each event tagged <c>task</c> by the actor itself.</summary>
    private sealed class EarlierTaskWriter : ReceivePersistentActor
    {
        public EarlierTaskWriter(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<ITaskEvent[]>(events =>
            {
                var sender = Sender;
                PersistAll(events.Select(e => new Tagged(e, ["task"])), _ => { });
                DeferAsync(events, _ => sender.Tell(new Done()));
            });
        }

        public override string PersistenceId { get; }
    }
}
