using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.ReadModel;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ReadModel;

/// <summary>
/// The durable read model on a real SQLite file: GETs and lists come from its rows (never from a task actor), a task is
/// readable from the moment its 202 is answered, ended tasks leave nothing in memory, a replay changes nothing, and
/// the journal can always rebuild it.
/// </summary>
public class ReadModelTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private SimulatorServer _sim = null!;
    private OrchestratorOptions _options = null!;

    public async Task InitializeAsync()
    {
        _store = TestStores.For(GetType());
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.4, QueuedFraction = 0 });
        _options = TaskActors.Options(_store.ConnectionString, _sim.BaseUrl);
        _options.Storage = _store.Storage;
        _options.Tasks.PassivateAfterSeconds = 0.5;
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        _store.Dispose();
    }

    private async Task<TaskActors> StartAsync(string name = "read-model")
    {
        var actors = await TaskActors.StartAsync(_options, name: name);
        await actors.Readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));
        return actors;
    }

    private static async Task<bool> IsInMemoryAsync(TaskActors actors, string id)
    {
        try
        {
            await actors.System.ActorSelection($"/user/tasks/{id}").ResolveOne(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ActorNotFoundException)
        {
            return false;
        }
    }

    [StoreFact]
    public async Task Every_task_is_readable_the_moment_its_acceptance_is_answered()
    {
        await using var actors = await StartAsync();
        for (var i = 0; i < 200; i++)
        {
            var accepted = await actors.SubmitAsync(TaskActors.Image($"p{i}"));
            var read = await actors.Reads.GetAsync(accepted.Id, CancellationToken.None);
            Assert.True(read is not null, $"task {i} ({accepted.Id}) was not readable right after it was accepted");
            // Its start asked the journal for its highest sequence number, and was answered without a query.
            Assert.False(OrchestratorJournal.IsWaiting(TaskIds.PersistenceId(accepted.Id)));
        }
    }

    [StoreFact]
    public async Task A_restart_reads_tasks_back_from_the_journal_in_bulk_as_each_actor_would_replay_its_own()
    {
        await using var actors = await StartAsync();
        var ended = await actors.SubmitAsync(TaskActors.Image("ends"));
        await actors.WaitForEndAsync(ended.Id, TimeSpan.FromSeconds(30));
        var cancelled = await actors.SubmitAsync(TaskActors.Image("cancelled"));
        await actors.Supervisor.Ask<object>(new CancelTask(cancelled.Id), TimeSpan.FromSeconds(10));
        await actors.WaitForEndAsync(cancelled.Id, TimeSpan.FromSeconds(30));
        // A cancel during its submit records the provider's id after the end: wait until both have written all and stopped.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await IsInMemoryAsync(actors, ended.Id) || await IsInMemoryAsync(actors, cancelled.Id))
        {
            Assert.True(DateTime.UtcNow < deadline, "the tasks did not passivate");
            await Task.Delay(50);
        }
        var never = TaskIds.New();

        var read = await new JournaledTaskStates(actors.System, actors.Database).ReadAsync([ended.Id, never, cancelled.Id], CancellationToken.None);

        Assert.Equal(new[] { ended.Id, cancelled.Id }.Order(StringComparer.Ordinal), read.Select(r => r.TaskId)); // no events, not listed
        var journal = OrchestratorPersistence.ReadJournal(actors.System);
        foreach (var task in read)
        {
            var events = await journal.CurrentEventsByPersistenceId(TaskIds.PersistenceId(task.TaskId), 0, long.MaxValue)
                .RunWith(Akka.Streams.Dsl.Sink.Seq<EventEnvelope>(), actors.System.Materializer());
            var replayed = events.Select(e => (ITaskEvent)e.Event).Aggregate(TaskState.Empty, (s, e) => s.Apply(e));
            Assert.True(events[^1].SequenceNr == task.SequenceNr, $"{task.TaskId}: {task.SequenceNr} read, journal: {string.Join(", ", events.Select(e => e.SequenceNr + " " + e.Event.GetType().Name))}");
            Assert.Equal(replayed.Status, task.State.Status);
            Assert.Equal(replayed.ProviderTaskId, task.State.ProviderTaskId);
            Assert.Equal(replayed.Request!.Prompt, task.State.Request!.Prompt);
            Assert.Equal(replayed.Results.Count, task.State.Results.Count);
        }
        Assert.Equal(TaskLifecycle.Succeeded, read.Single(r => r.TaskId == ended.Id).State.Status);
        Assert.True(read.Single(r => r.TaskId == cancelled.Id).State.IsTerminal);
    }

    [StoreFact]
    public async Task Ended_tasks_leave_no_actor_and_no_live_view_and_reads_do_not_bring_them_back()
    {
        await using var actors = await StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++) ids.Add((await actors.SubmitAsync(TaskActors.Image($"p{i}"))).Id);
        foreach (var id in ids) Assert.Equal(TaskLifecycle.Succeeded, (await actors.WaitForEndAsync(id)).Status);

        var live = actors.Live;
        await Eventually.Until(() => Task.FromResult(live.Count), n => n == 0, TimeSpan.FromSeconds(30), "every live view to go");
        foreach (var id in ids)
        {
            Assert.False(await IsInMemoryAsync(actors, id));
            var view = await actors.Reads.GetAsync(id, CancellationToken.None);
            Assert.Equal(TaskLifecycle.Succeeded, view!.Status);
            Assert.Single(view.Results);
            Assert.False(await IsInMemoryAsync(actors, id), "a read woke the task's actor");
        }
        var page = await actors.Reads.ListAsync(new ListTasks(TaskLifecycle.Succeeded, "simulator", 100, null), CancellationToken.None);
        Assert.Equal(ids.AsEnumerable().Reverse(), page!.Items.Select(v => v.Id));
    }

    [StoreFact]
    public async Task A_page_projected_twice_changes_nothing_and_an_older_event_never_overwrites_a_newer_one()
    {
        var db = new ReadModelDatabase(_options.Storage);
        await db.EnsureSchemaAsync(CancellationToken.None);
        var writer = new TaskProjectionWriter(db);
        var at = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        EventEnvelope Envelope(long offset, long seq, ITaskEvent e) => new(Offset.Sequence(offset), "task-t", seq, e, 0, ["task"]);
        var accepted = Envelope(1, 1, new TaskAccepted("t", TaskActors.Image(), at));
        var submitted = Envelope(2, 2, new TaskSubmitted("t", "p1", 1, at.AddSeconds(1)));
        var succeeded = Envelope(3, 3, new TaskSucceeded("t", [new TaskResult(0, "https://r/0", "image")], 2, at.AddSeconds(5)));

        var first = await writer.WriteAsync([accepted, submitted, succeeded], CancellationToken.None);
        Assert.True(Assert.Single(first.Tasks).JustEnded);
        var again = await writer.WriteAsync([accepted, submitted, succeeded], CancellationToken.None);
        Assert.Empty(again.Tasks);
        var older = await writer.WriteAsync([submitted], CancellationToken.None);
        Assert.Empty(older.Tasks);

        var reads = new TaskReadModel(db, new LiveTaskViews(), CaughtUp());
        var stored = await reads.GetStoredAsync("t", CancellationToken.None);
        Assert.Equal((TaskLifecycle.Succeeded, "p1", 3L), (stored!.Status, stored.ProviderTaskId, await writer.LoadOffsetAsync(CancellationToken.None)));
    }

    [StoreFact]
    public async Task Dropped_read_model_tables_are_rebuilt_from_the_journal_at_the_next_start()
    {
        List<TaskView> before;
        await using (var actors = await StartAsync("first"))
        {
            for (var i = 0; i < 5; i++) await actors.WaitForEndAsync((await actors.SubmitAsync(TaskActors.Image($"p{i}"))).Id);
            before = [.. (await actors.Reads.ListAsync(new ListTasks(null, null, 10, null), CancellationToken.None))!.Items];
        }
        await using (var connection = await new ReadModelDatabase(_options.Storage).OpenAsync(CancellationToken.None))
        {
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE orchestrator_tasks; DROP TABLE orchestrator_projections;";
            await drop.ExecuteNonQueryAsync();
        }

        await using var restarted = await StartAsync("second");
        var after = (await restarted.Reads.ListAsync(new ListTasks(null, null, 10, null), CancellationToken.None))!.Items;
        Assert.Equal(before.Select(Wire), after.Select(Wire));
    }

    [StoreFact]
    public async Task Start_up_finds_unfinished_tasks_through_an_index_not_by_reading_every_ended_one()
    {
        await using var actors = await StartAsync();
        await using var connection = await new ReadModelDatabase(_options.Storage).OpenAsync(CancellationToken.None);
        var postgres = OnPostgresAttribute.IsOn(GetType());
        if (postgres)
        {
            // PostgreSQL plans by its statistics (a near-empty table is read whole); ask whether the index can serve it.
            await using var noScan = connection.CreateCommand();
            noScan.CommandText = "SET enable_seqscan = off";
            await noScan.ExecuteNonQueryAsync();
        }
        await using var plan = connection.CreateCommand();
        plan.CommandText = (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + "SELECT id FROM orchestrator_tasks WHERE ended_at IS NULL";
        var steps = new List<string>();
        await using (var reader = await plan.ExecuteReaderAsync())
            while (await reader.ReadAsync()) steps.Add(reader.GetString(postgres ? 0 : 3));
        Assert.Contains(steps, s => s.Contains("orchestrator_tasks_unfinished_idx"));
    }

    [StoreFact]
    public async Task A_journal_tag_is_read_through_one_index_on_tag_and_ordering_and_no_second_one_on_the_tag()
    {
        await using var actors = await StartAsync();
        await actors.WaitForEndAsync((await actors.SubmitAsync(TaskActors.Image("indexed"))).Id);
        await using var connection = await new ReadModelDatabase(_options.Storage).OpenAsync(CancellationToken.None);
        await using var indexes = connection.CreateCommand();
        indexes.CommandText = OnPostgresAttribute.IsOn(GetType())
            ? "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tags'"
            : "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tags' AND sql IS NOT NULL";
        var onTag = new List<string>();
        await using (var reader = await indexes.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                if (System.Text.RegularExpressions.Regex.IsMatch(reader.GetString(1), @"\(\s*\[?tag\]?\s*[,)]")) onTag.Add($"{reader.GetString(0)}: {reader.GetString(1)}");

        var only = Assert.Single(onTag);
        Assert.Contains("ordering_id", only);
    }

    [StoreFact]
    public async Task The_journal_keeps_no_rows_in_its_indexes_on_the_creation_time_or_the_sequence_number_alone_which_no_query_reads()
    {
        await using var actors = await StartAsync();
        await actors.WaitForEndAsync((await actors.SubmitAsync(TaskActors.Image("indexed"))).Id);
        await using var connection = await new ReadModelDatabase(_options.Storage).OpenAsync(CancellationToken.None);
        var postgres = OnPostgresAttribute.IsOn(GetType());

        foreach (var (index, column) in new[] { ("journal_created_idx", "created"), ("journal_sequence_number_idx", "sequence_number") })
        {
            await using var definition = connection.CreateCommand();
            definition.CommandText = postgres ? $"SELECT indexdef FROM pg_indexes WHERE indexname = '{index}'" : $"SELECT sql FROM sqlite_master WHERE name = '{index}'";
            // Still there under its name (the plugin would make it again on the next start), holding rows of no event.
            Assert.Matches($@"WHERE \(?{column} < 0\)?", Assert.IsType<string>(await definition.ExecuteScalarAsync()));
        }
    }

    internal static ProjectionProgress CaughtUp()
    {
        var progress = new ProjectionProgress();
        progress.MarkCaughtUp();
        return progress;
    }

    private static string Wire(TaskView view) => System.Text.Json.JsonSerializer.Serialize(view, Orchestrator.Contracts.WireJson.Options);
}

[OnPostgres] public sealed class ReadModelOnPostgresTests : ReadModelTests;
