using Akka.Actor;
using Akka.TestKit;
using Orchestrator.Batches;
using Orchestrator.Hosting;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Orchestrator.Throttling;

namespace Orchestrator.Tests.Batches;

/// <summary>
/// The batch actor alone, its supervisor and throttles stand-ins: a task handed over holds its place in the window
/// until it answers that it is accepted, even when the account's queue looks empty (as it does on a fast account
/// whose tasks are still waiting for their first journal write).
/// </summary>
public sealed class BatchHandOverTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TempDirectory Dir = new();
    private readonly JournalOnlyHost _host;

    public BatchHandOverTests() : this(new JournalOnlyHost(Dir.SqliteConnectionString($"batch-{Guid.NewGuid():N}.db"))) { }

    private BatchHandOverTests(JournalOnlyHost host) : base(host.System) => _host = host;

    protected override void AfterAll()
    {
        base.AfterAll();
        _host.Dispose();
    }

    [Fact]
    public void Tasks_not_yet_accepted_count_against_the_window_while_the_throttle_queue_is_empty()
    {
        var supervisor = CreateTestProbe();
        var throttles = CreateTestProbe();
        throttles.SetAutoPilot(new DelegateAutoPilot((sender, _) =>
        {
            sender.Tell(new QueueRoom(true, 0, 0, TimeSpan.Zero)); // never anything queued
            return AutoPilot.KeepRunning;
        }));
        // 5 QPS: a window of 16 tasks.
        var options = new OrchestratorOptions { Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", Qps = 5 } } };
        var runtime = new BatchRuntime(options, TimeProvider.System, supervisor.Ref, Reads(), throttles.Ref);
        var batchId = BatchIds.New();
        var batch = Sys.ActorOf(BatchActor.Props(runtime, batchId));
        var entries = Enumerable.Range(1, 100).Select(i => new BatchEntry(i, TaskActors.Image($"p{i}") with { BatchId = batchId, BatchLine = i })).ToList();

        Upload(batch, batchId, entries);

        var first = supervisor.ReceiveN(16, TimeSpan.FromSeconds(10)).Cast<SubmitTask>().ToList();
        // Several release ticks pass with an empty throttle queue: nothing more until some answer.
        supervisor.ExpectNoMsg(TimeSpan.FromSeconds(1));

        foreach (var s in first.Take(5))
            batch.Tell(new TaskAcceptedReply(QueuedTaskViews.Of(s.TaskId, new BatchEntry(s.Request.BatchLine!.Value, s.Request), batchId, DateTimeOffset.UtcNow, false, null), true));
        var next = supervisor.ReceiveN(5, TimeSpan.FromSeconds(10)).Cast<SubmitTask>().ToList();
        Assert.Equal(Enumerable.Range(17, 5), next.Select(s => s.Request.BatchLine!.Value));
        supervisor.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_task_whose_hand_over_was_lost_is_handed_over_again_and_only_it()
    {
        var supervisor = CreateTestProbe();
        var throttles = CreateTestProbe();
        throttles.SetAutoPilot(new DelegateAutoPilot((sender, _) =>
        {
            sender.Tell(new QueueRoom(true, 0, 0, TimeSpan.Zero));
            return AutoPilot.KeepRunning;
        }));
        var options = new OrchestratorOptions { Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", Qps = 5 } } };
        var runtime = new BatchRuntime(options, TimeProvider.System, supervisor.Ref, Reads(), throttles.Ref) { AcceptanceWait = TimeSpan.FromSeconds(1) };
        var batchId = BatchIds.New();
        var batch = Sys.ActorOf(BatchActor.Props(runtime, batchId));
        var entries = Enumerable.Range(1, 16).Select(i => new BatchEntry(i, TaskActors.Image($"p{i}") with { BatchId = batchId, BatchLine = i })).ToList();
        Upload(batch, batchId, entries);

        // Every task answers but line 3: its first write was lost (the journal refused it under load).
        var first = supervisor.ReceiveN(16, TimeSpan.FromSeconds(10)).Cast<SubmitTask>().ToList();
        foreach (var s in first.Where(s => s.Request.BatchLine != 3))
            batch.Tell(new TaskAcceptedReply(QueuedTaskViews.Of(s.TaskId, new BatchEntry(s.Request.BatchLine!.Value, s.Request), batchId, DateTimeOffset.UtcNow, false, null), true));

        var again = supervisor.ExpectMsg<SubmitTask>(TimeSpan.FromSeconds(10));
        Assert.Equal((3, false), (again.Request.BatchLine!.Value, again.IsFreshId));
        batch.Tell(new TaskAcceptedReply(QueuedTaskViews.Of(again.TaskId, new BatchEntry(3, again.Request), batchId, DateTimeOffset.UtcNow, false, null), true));
        supervisor.ExpectNoMsg(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_batch_restarted_while_the_read_model_cannot_answer_asks_again_and_hands_over_its_work()
    {
        var supervisor = CreateTestProbe();
        var throttles = CreateTestProbe();
        throttles.SetAutoPilot(new DelegateAutoPilot((sender, _) =>
        {
            sender.Tell(new QueueRoom(true, 0, 0, TimeSpan.Zero));
            return AutoPilot.KeepRunning;
        }));
        // A database without the read model's tables: every read fails until they exist.
        var db = new ReadModelDatabase(new StorageOptions { ConnectionString = Dir.SqliteConnectionString($"reads-{Guid.NewGuid():N}.db") });
        var options = new OrchestratorOptions { Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", Qps = 5 } } };
        var runtime = new BatchRuntime(options, TimeProvider.System, supervisor.Ref, Reads(db), throttles.Ref);
        var batchId = BatchIds.New();
        var entries = Enumerable.Range(1, 40).Select(i => new BatchEntry(i, TaskActors.Image($"p{i}") with { BatchId = batchId, BatchLine = i })).ToList();
        var batch = Sys.ActorOf(BatchActor.Props(runtime, batchId));
        Upload(batch, batchId, entries);
        supervisor.ReceiveN(16, TimeSpan.FromSeconds(10)); // handed over; the process dies before any is accepted
        Watch(batch);
        Sys.Stop(batch);
        ExpectTerminated(batch);

        // The read model cannot answer: the batch says so and asks again later.
        EventFilter.Warning(contains: "could not learn which handed-over tasks exist")
            .ExpectOne(TimeSpan.FromSeconds(10), () => Sys.ActorOf(BatchActor.Props(runtime, batchId)));
        supervisor.ExpectNoMsg(TimeSpan.Zero);
        await db.EnsureSchemaAsync(CancellationToken.None);
        var again = supervisor.ReceiveN(16, TimeSpan.FromSeconds(10)).Cast<SubmitTask>();
        Assert.Equal(Enumerable.Range(1, 16), again.Select(s => s.Request.BatchLine!.Value).Order());
    }

    [Fact]
    public void A_batch_that_fits_in_one_chunk_is_stored_in_one_journal_write_hands_over_its_tasks_and_recovers_sealed()
    {
        var supervisor = CreateTestProbe();
        var throttles = CreateTestProbe(); // answers only once the writes are counted: handing over writes too
        var options = new OrchestratorOptions { Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", Qps = 5 } } };
        var runtime = new BatchRuntime(options, TimeProvider.System, supervisor.Ref, Reads(), throttles.Ref);
        var batchId = BatchIds.New();
        var entries = Enumerable.Range(1, 40).Select(i => new BatchEntry(i, TaskActors.Image($"p{i}") with { BatchId = batchId, BatchLine = i })).ToList();
        var batch = Sys.ActorOf(BatchActor.Props(runtime, batchId));
        var journal = Orchestrator.Persistence.JournalHealth.For(Sys);
        var before = journal.WritesStarted;

        batch.Tell(new StoreWholeBatch(batchId, false, entries, RejectedCount: 2));
        var status = ExpectMsg<BatchStatus>();
        Assert.Equal((true, 40, 2), (status.Sealed, status.Total, status.RejectedCount));
        throttles.ExpectMsg<AskQueueRoom>(); // the batch releases its tasks once sealed, and asks for room first
        Assert.Equal(1, journal.WritesStarted - before); // opened, stored and sealed: one round trip, not three
        throttles.Reply(new QueueRoom(true, 0, 0, TimeSpan.Zero));
        throttles.SetAutoPilot(new DelegateAutoPilot((sender, _) =>
        {
            sender.Tell(new QueueRoom(true, 0, 0, TimeSpan.Zero));
            return AutoPilot.KeepRunning;
        }));
        Assert.Equal(Enumerable.Range(1, 16), supervisor.ReceiveN(16, TimeSpan.FromSeconds(10)).Cast<SubmitTask>().Select(s => s.Request.BatchLine!.Value));

        Watch(batch);
        Sys.Stop(batch);
        ExpectTerminated(batch);
        var recovered = Sys.ActorOf(BatchActor.Props(runtime, batchId));
        recovered.Tell(new GetBatch(batchId));
        var again = ExpectMsg<BatchStatus>();
        Assert.Equal((true, 40, 2, status.CreatedAt), (again.Sealed, again.Total, again.RejectedCount, again.CreatedAt));
    }

    private static TaskReadModel Reads(ReadModelDatabase? db = null)
    {
        var progress = new ProjectionProgress();
        progress.MarkCaughtUp();
        return new TaskReadModel(db ?? new ReadModelDatabase(new StorageOptions { ConnectionString = Dir.SqliteConnectionString($"reads-{Guid.NewGuid():N}.db") }),
            new LiveTaskViews(), progress);
    }

    /// <summary>Opens, stores and seals a batch as the upload does, each step acknowledged.</summary>
    private void Upload(IActorRef batch, string batchId, IReadOnlyList<BatchEntry> entries)
    {
        batch.Tell(new OpenBatch(batchId, false));
        ExpectMsg<BatchStatus>();
        batch.Tell(new StoreChunk(batchId, entries));
        ExpectMsg<ChunkStored>();
        batch.Tell(new SealBatch(batchId, entries.Count, 0));
        ExpectMsg<BatchStatus>();
    }

    [Theory]
    [InlineData(5, 16)]
    [InlineData(20, 40)]
    [InlineData(2000, BatchRuntime.MaxWindow)]
    public void The_window_is_two_seconds_of_the_account_within_what_the_journal_absorbs(double qps, int window)
    {
        var options = new OrchestratorOptions { Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", Qps = qps } } };
        var runtime = new BatchRuntime(options, TimeProvider.System, TestActor, Reads(), TestActor);
        Assert.Equal(window, runtime.WindowFor("simulator"));
    }
}
