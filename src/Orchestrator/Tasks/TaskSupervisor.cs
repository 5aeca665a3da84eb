using Akka.Actor;
using Orchestrator.Persistence;
using Orchestrator.Tasks.Lifecycle;

namespace Orchestrator.Tasks;

/// <summary>
/// Owns one <see cref="GenerationTask"/> child per task id and routes <see cref="ITaskCommand"/>s to it, starting it
/// on demand. Passivation follows Akka.Cluster.Sharding's handshake: a child offers (<see cref="Passivate"/>), this
/// actor holds the child's messages and says "now", the child stops or declines, and held messages go to whichever
/// incarnation comes next. A child that sleeps through a long wait leaves its <see cref="TaskResume"/> here and is
/// woken at its time (<see cref="TaskWakeUps"/>) or by its next message: this actor is what a shard region replaces later.
/// </summary>
internal sealed partial class TaskSupervisor : ReceiveActor, IWithTimers
{
    private sealed record Rewake(string TaskId);
    private sealed record WakeDue;

    private const string WakeTimer = "wake";
    // A turn wakes at most this many, so a crowd due at once cannot hold the mailbox for long.
    private const int WakesPerTurn = 1_000;

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly TaskRuntime _runtime;
    private readonly Dictionary<string, IActorRef> _children = new();
    private readonly Dictionary<IActorRef, string> _ids = new();
    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _held = new();
    private readonly TaskWakeUps _sleeping = new();
    // Unexpected stops in a row per task (only tasks that stopped so): each is brought back later than the last.
    private readonly Dictionary<string, int> _rewakes = new();
    private DateTimeOffset? _timerFor;

    public TaskSupervisor(TaskRuntime runtime)
    {
        _runtime = runtime;
        Receive<ITaskCommand>(Route);
        Receive<Passivate>(p =>
        {
            if (!_children.TryGetValue(p.TaskId, out var child) || !child.Equals(Sender) || _held.ContainsKey(p.TaskId)) return;
            _held[p.TaskId] = [];
            child.Tell(new TaskInput.PassivateNow());
        });
        Receive<TaskPassivated>(p =>
        {
            if (!_children.TryGetValue(p.TaskId, out var child) || !child.Equals(Sender)) return;
            _rewakes.Remove(p.TaskId);
            if (p.Resume is { } resume)
            {
                _sleeping.Add(p.TaskId, resume, p.SequenceNr, p.State);
                ArmWakeTimer();
            }
            Context.Stop(child);
        });
        Receive<PassivationDeclined>(p =>
        {
            if (!_held.Remove(p.TaskId, out var held)) return;
            foreach (var (message, sender) in held) Route(message, sender);
        });
        Receive<Terminated>(t =>
        {
            if (!_ids.Remove(t.ActorRef, out var id)) return;
            _children.Remove(id);
            if (_held.Remove(id, out var held))
            {
                foreach (var (message, sender) in held) Route(message, sender);
            }
            else
            {
                // Stopped without passivating (the journal refused a write or a replay: overloaded, or its circuit
                // breaker open): bring it back once the dust settles, later each time and spread, so that thousands
                // stopped together do not all come back into the same overloaded journal at once.
                var stops = _rewakes[id] = _rewakes.GetValueOrDefault(id) + 1;
                Timers.StartSingleTimer("rewake-" + id, new Rewake(id), RewakeDelay(stops, Random.Shared.NextDouble()));
            }
        });
        Receive<ListStuck>(l =>
        {
            // Children in the passivation handshake are about to sleep or to stay: neither is stuck, and asking would race their stop.
            var live = _children.Where(c => !_held.ContainsKey(c.Key)).Select(c => (c.Key, c.Value)).ToList();
            StuckTasks.CheckAsync(live, _sleeping.Count, l.AnswerWithin).PipeTo(Sender);
        });
        Receive<Rewake>(r => Route(new WakeTask(r.TaskId), Self));
        ReceiveResumes();
        Receive<WakeDue>(_ =>
        {
            _timerFor = null;
            foreach (var id in _sleeping.Due(_runtime.Now, WakesPerTurn)) Route(new WakeTask(id), Self);
            ArmWakeTimer();
        });
    }

    public static Props Props(TaskRuntime runtime) => Akka.Actor.Props.Create(typeof(TaskSupervisor), runtime);

    private void Route(ITaskCommand cmd) => Route(cmd, Sender);

    private void Route(object message, IActorRef sender)
    {
        var cmd = (ITaskCommand)message;
        if (_held.TryGetValue(cmd.TaskId, out var held))
        {
            held.Add((message, sender));
            return;
        }
        if (!_children.TryGetValue(cmd.TaskId, out var child))
        {
            var persistenceId = TaskIds.PersistenceId(cmd.TaskId);
            var fresh = cmd is SubmitTask { IsFreshId: true };
            if (fresh) OrchestratorJournal.MarkFresh(persistenceId);
            // A sleeping task wakes early for any message (a callback, a cancel) with what it left here.
            var sleeping = _sleeping.Take(cmd.TaskId);
            if (sleeping is { } s) OrchestratorJournal.MarkKnown(persistenceId, s.SequenceNr);
            child = Context.ActorOf(GenerationTask.Props(_runtime, cmd.TaskId, fresh, sleeping), cmd.TaskId);
            Context.Watch(child);
            _children[cmd.TaskId] = child;
            _ids[child] = cmd.TaskId;
        }
        child.Tell(message, sender);
    }

    /// <summary>5 s after a first unexpected stop, doubling to at most 2 minutes, each spread by ±25%.</summary>
    internal static TimeSpan RewakeDelay(int stops, double random) =>
        TimeSpan.FromSeconds(Math.Min(120, 5 * Math.Pow(2, Math.Min(stops, 8) - 1)) * (0.75 + 0.5 * random));

    /// <summary>One timer, for the earliest wake-up; moved earlier when an earlier one arrives.</summary>
    private void ArmWakeTimer()
    {
        if (_sleeping.Earliest is not { } earliest || (_timerFor is { } armed && armed <= earliest)) return;
        var delay = earliest - _runtime.Now;
        Timers.StartSingleTimer(WakeTimer, new WakeDue(), delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        _timerFor = earliest;
    }

    // A task actor that throws is restarted and recovers from its journal; it never takes others down.
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(maxNrOfRetries: 10, withinTimeRange: TimeSpan.FromMinutes(1), localOnlyDecider: _ => Directive.Restart);
}
