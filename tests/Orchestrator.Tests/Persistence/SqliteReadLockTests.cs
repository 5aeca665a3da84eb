using Akka;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Data.Sqlite;
using Orchestrator.Persistence;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// In WAL mode SQLite lets any number of readers run beside its one writer. The journal's reads (a task's recovery, the
/// tag queries behind the completion stream) must not ask for the write lock: when they did (Microsoft.Data.Sqlite's
/// default transactions are <c>BEGIN IMMEDIATE</c>), every read queued behind the journal's writes and the writes behind
/// the reads, which under load stalled the journal until its circuit breaker opened.
/// </summary>
public sealed class SqliteReadLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Recovery_and_tag_queries_read_while_another_connection_holds_the_write_lock()
    {
        var connectionString = _dir.SqliteConnectionString();
        using var host = new JournalOnlyHost(connectionString);
        var system = host.System;
        var id = TaskIds.New();
        var at = DateTimeOffset.UtcNow;
        var writer = system.ActorOf(Props.Create(() => new EventWriter(TaskIds.PersistenceId(id))));
        await writer.Ask<Done>(new TaskAccepted(id, TaskActors.Image("read beside a writer"), at), TimeSpan.FromSeconds(20));
        await writer.Ask<Done>(new TaskSucceeded(id, [new TaskResult(0, "https://cdn.test/a.png", "image")], 1, at.AddSeconds(3)), TimeSpan.FromSeconds(20));
        await writer.GracefulStop(TimeSpan.FromSeconds(5));

        // Another process (a backup, an operator's sqlite3 shell, a second writer) holds the write lock.
        await using var other = new SqliteConnection(connectionString);
        await other.OpenAsync();
        await using var hold = other.CreateCommand();
        hold.CommandText = "BEGIN IMMEDIATE";
        await hold.ExecuteNonQueryAsync();

        var recovered = system.ActorOf(Props.Create(() => new EventWriter(TaskIds.PersistenceId(id))));
        var count = await recovered.Ask<int>(EventWriter.CountRecovered.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(2, count);

        var events = await OrchestratorPersistence.ReadJournal(system)
            .CurrentEventsByPersistenceId(TaskIds.PersistenceId(id), 0, long.MaxValue)
            .RunWith(Sink.Seq<EventEnvelope>(), system.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, events.Count);
        var tagged = await OrchestratorPersistence.ReadJournal(system)
            .CurrentEventsByTag(GenerationTask.JournalTag, Offset.NoOffset())
            .RunWith(Sink.Seq<EventEnvelope>(), system.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEmpty(tagged);

        hold.CommandText = "ROLLBACK";
        await hold.ExecuteNonQueryAsync();
    }

    /// <summary>Persists what it is sent on the orchestrator's journal and answers how many events it recovered.</summary>
    internal sealed class EventWriter : ReceivePersistentActor
    {
        private readonly string _persistenceId;
        private int _recovered;

        public EventWriter(string persistenceId)
        {
            _persistenceId = persistenceId;
            JournalPluginId = OrchestratorPersistence.JournalPluginId;
            SnapshotPluginId = OrchestratorPersistence.SnapshotPluginId;
            Recover<IOrchestratorEvent>(_ => _recovered++);
            Command<CountRecovered>(_ => Sender.Tell(_recovered));
            Command<IOrchestratorEvent>(e => Persist(e, _ => Sender.Tell(Done.Instance)));
        }

        public sealed record CountRecovered
        {
            public static readonly CountRecovered Instance = new();
        }

        public override string PersistenceId => _persistenceId;
    }
}
