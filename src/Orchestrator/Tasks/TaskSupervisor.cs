using Akka.Actor;
using Orchestrator.Persistence;

namespace Orchestrator.Tasks;

/// <summary>
/// Owns one <see cref="GenerationTask"/> child per task id and routes <see cref="ITaskCommand"/>s to it,
/// starting it on demand. Messages for a child that is passivating are held and delivered to its next
/// incarnation, as Akka.Cluster.Sharding does: this actor is what a shard region replaces later.
/// </summary>
internal sealed class TaskSupervisor : ReceiveActor, IWithTimers
{
    private sealed record Rewake(string TaskId);

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly TaskRuntime _runtime;
    private readonly Dictionary<string, IActorRef> _children = new();
    private readonly Dictionary<IActorRef, string> _ids = new();
    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _held = new();

    public TaskSupervisor(TaskRuntime runtime)
    {
        _runtime = runtime;
        Receive<ITaskCommand>(Route);
        Receive<Passivate>(p =>
        {
            if (!_children.TryGetValue(p.TaskId, out var child) || !child.Equals(Sender) || _held.ContainsKey(p.TaskId)) return;
            _held[p.TaskId] = [];
            child.Tell(PoisonPill.Instance);
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
                // Stopped without passivating (e.g. the journal refused a write): bring it back once the dust settles.
                Timers.StartSingleTimer("rewake-" + id, new Rewake(id), TimeSpan.FromSeconds(5));
            }
        });
        Receive<Rewake>(r => Route(new WakeTask(r.TaskId), Self));
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
            var fresh = cmd is SubmitTask { IsFreshId: true };
            if (fresh) OrchestratorJournal.MarkFresh(TaskIds.PersistenceId(cmd.TaskId));
            child = Context.ActorOf(GenerationTask.Props(_runtime, cmd.TaskId, fresh), cmd.TaskId);
            Context.Watch(child);
            _children[cmd.TaskId] = child;
            _ids[child] = cmd.TaskId;
        }
        child.Tell(message, sender);
    }

    // A task actor that throws is restarted and recovers from its journal; it never takes others down.
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(maxNrOfRetries: 10, withinTimeRange: TimeSpan.FromMinutes(1), localOnlyDecider: _ => Directive.Restart);
}
