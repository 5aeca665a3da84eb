using Akka.Actor;
using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>
/// Owns one <see cref="BatchActor"/> per batch in memory and routes <see cref="IBatchCommand"/>s to it by id. At start
/// it asks the batch registry (the read model) which batches still have work and wakes those only, however many have
/// finished before; a batch done with its work passivates and comes back when asked. It knows which batch a task id's
/// prefix belongs to for the batches in memory, so a task still queued in its batch can be answered.
/// </summary>
internal sealed class BatchDirectory : ReceiveActor
{
    private sealed record Loaded(IReadOnlyList<string> WithWorkLeft);
    private sealed record Resolved(IBatchCommand Command, IActorRef Sender, bool Exists);

    private readonly BatchRuntime _rt;
    private readonly Dictionary<string, IActorRef> _children = new();
    private readonly Dictionary<IActorRef, string> _ids = new();
    private readonly Dictionary<string, string> _byPrefix = new();
    private readonly HashSet<string> _known = new();
    // Batches passivating: what arrives for them meanwhile goes to their next incarnation.
    private readonly Dictionary<string, List<(IBatchCommand Message, IActorRef Sender)>> _held = new();
    private List<(object Message, IActorRef Sender)>? _pending = [];

    public BatchDirectory(BatchRuntime runtime)
    {
        _rt = runtime;
        Receive<Loaded>(l =>
        {
            foreach (var id in l.WithWorkLeft)
            {
                Know(id);
                Route(new WakeBatch(id), Self);
            }
            var pending = _pending!;
            _pending = null;
            foreach (var (m, s) in pending) Self.Tell(m, s);
        });
        Receive<Status.Failure>(f => throw new InvalidOperationException("Could not read the batch registry at start-up.", f.Cause));
        Receive<IBatchCommand>(c =>
        {
            if (_pending is not null) { _pending.Add((c, Sender)); return; }
            if (c is OpenBatch or StoreWholeBatch) Know(c.BatchId);
            if (_known.Contains(c.BatchId)) { Route(c, Sender); return; }
            // A batch not in memory: the registry says whether it ever existed (no actor is started for an id no batch had).
            var sender = Sender;
            _rt.Registry.ExistsAsync(c.BatchId, CancellationToken.None)
                .PipeTo(Self, success: exists => new Resolved(c, sender, exists), failure: _ => new Resolved(c, sender, false));
        });
        Receive<Resolved>(r =>
        {
            if (r.Exists || _known.Contains(r.Command.BatchId))
            {
                Know(r.Command.BatchId);
                Route(r.Command, r.Sender);
            }
            else if (r.Command is GetQueuedTask q) r.Sender.Tell(new TaskNotFound(q.TaskId));
            else r.Sender.Tell(new BatchNotFound(r.Command.BatchId));
        });
        Receive<FindQueuedTask>(q =>
        {
            if (_pending is not null) { _pending.Add((q, Sender)); return; }
            // Only a batch in memory can have queued tasks: one with work left is woken at start and stays until done.
            if (BatchIds.Parse(q.TaskId) is { } p && _byPrefix.TryGetValue(p.Prefix, out var batchId))
                Route(new GetQueuedTask(batchId, q.TaskId, p.Line), Sender);
            else Sender.Tell(new TaskNotFound(q.TaskId));
        });
        Receive<BatchIdle>(idle =>
        {
            if (!_children.TryGetValue(idle.BatchId, out var child) || !child.Equals(Sender) || _held.ContainsKey(idle.BatchId)) return;
            _held[idle.BatchId] = [];
            child.Tell(PoisonPill.Instance);
        });
        Receive<BatchPurged>(p =>
        {
            Forget(p.BatchId);
            if (!_children.TryGetValue(p.BatchId, out var child)) return;
            // Gone from the journal: what arrives meanwhile is answered by an incarnation that finds nothing.
            _held.TryAdd(p.BatchId, []);
            Context.Stop(child);
        });
        Receive<Terminated>(t =>
        {
            if (!_ids.Remove(t.ActorRef, out var id)) return;
            _children.Remove(id);
            if (!_held.Remove(id, out var held)) return;
            if (held.Count == 0) Forget(id);
            foreach (var (message, sender) in held) Route(message, sender);
        });
    }

    public static Props Props(BatchRuntime runtime) => Akka.Actor.Props.Create(typeof(BatchDirectory), runtime);

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(BatchPurged));
        var registry = _rt.Registry;
        Task.WhenAll(_rt.Reads.Progress.CaughtUp, registry.Progress.CaughtUp)
            .ContinueWith(_ => registry.WithWorkLeftAsync(CancellationToken.None), TaskScheduler.Default).Unwrap()
            .PipeTo(Self, success: ids => new Loaded(ids));
    }

    private void Know(string batchId)
    {
        _known.Add(batchId);
        _byPrefix[BatchIds.Prefix(batchId)] = batchId;
    }

    private void Forget(string batchId)
    {
        _known.Remove(batchId);
        _byPrefix.Remove(BatchIds.Prefix(batchId));
    }

    private void Route(IBatchCommand cmd, IActorRef sender)
    {
        if (_held.TryGetValue(cmd.BatchId, out var held)) { held.Add((cmd, sender)); return; }
        if (!_children.TryGetValue(cmd.BatchId, out var child))
        {
            child = Context.ActorOf(BatchActor.Props(_rt, cmd.BatchId), cmd.BatchId);
            Context.Watch(child);
            _children[cmd.BatchId] = child;
            _ids[child] = cmd.BatchId;
        }
        child.Tell(cmd, sender);
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(maxNrOfRetries: 10, withinTimeRange: TimeSpan.FromMinutes(1), localOnlyDecider: _ => Directive.Restart);
}
