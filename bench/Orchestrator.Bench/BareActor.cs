using Akka.Persistence;
using Orchestrator.Persistence;
using Orchestrator.Tasks;

namespace Orchestrator.Bench;

/// <summary>
/// The least a persistent task can cost on this stack: start, persist k tagged events one after the other
/// (as a task persists accepted, submitted, ended), report, stop. No timers, no HTTP, no read model.
/// </summary>
public sealed class BareActor : ReceivePersistentActor
{
    /// <summary>Sent once after creation, as the supervisor forwards a SubmitTask: it waits for recovery like one.</summary>
    public sealed record Go
    {
        public static readonly Go Instance = new();
    }

    private readonly string _id;
    private readonly int _events;
    private readonly BaselineLatch _latch;
    private int _written;

    public BareActor(string id, int events, BaselineLatch latch)
    {
        _id = id;
        _events = events;
        _latch = latch;
        JournalPluginId = OrchestratorPersistence.JournalPluginId;
        SnapshotPluginId = OrchestratorPersistence.SnapshotPluginId;
        Command<Go>(_ => PersistNextOrFinish());
    }

    public override string PersistenceId => "bare-" + _id;

    // Ids are minted fresh for this run: nothing to replay (the journal is still asked for the highest sequence nr).
    public override Recovery Recovery => Recovery.None;

    // A write the journal refused (its circuit breaker open under a stalled disk) ends this actor: counted as failed, so
    // the run ends with a figure and says so, instead of waiting out its timeout for an actor that is gone.
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _latch.Fail();
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void PersistNextOrFinish()
    {
        if (_written == _events)
        {
            _latch.Signal();
            Context.Stop(Self); // the orchestrator passivates ended tasks too; keeps memory flat over N actors
            return;
        }
        // TaskCancelled is one of the orchestrator's own events, so the orchestrator's serializer writes it
        // (System.Text.Json, short manifest) and its event adapter tags it "task", exactly as in production: tagged
        // writes also fill the tag table, which costs ~15% (docs/design.md, write budget).
        var evt = new TaskCancelled(_id, _written, DateTimeOffset.UtcNow);
        Persist(evt, _ =>
        {
            _written++;
            PersistNextOrFinish();
        });
    }
}

/// <summary>
/// What every <see cref="BareActor"/> reports to: one shared countdown, completing a single awaited
/// <see cref="TaskCompletionSource"/> at zero. Cheaper than an Ask per actor, so the baseline stays a ceiling.
/// </summary>
public sealed class BaselineLatch(int count, Action? onEach = null)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _left = count;
    private int _failed;

    /// <summary>Every actor has finished or failed.</summary>
    public Task Done => _left == 0 ? Task.CompletedTask : _done.Task;

    /// <summary>Actors neither finished nor failed yet.</summary>
    public int Left => Volatile.Read(ref _left);

    /// <summary>Actors whose write the journal refused.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public void Signal()
    {
        onEach?.Invoke();
        if (Interlocked.Decrement(ref _left) == 0) _done.TrySetResult();
    }

    public void Fail()
    {
        Interlocked.Increment(ref _failed);
        Signal();
    }
}
