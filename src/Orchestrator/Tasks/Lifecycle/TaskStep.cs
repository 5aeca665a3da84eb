namespace Orchestrator.Tasks.Lifecycle;

/// <summary>
/// One decision being taken: the memory as it changes and the effects in the order the actor must carry them out.
/// Mutable only while <see cref="TaskMachine.Decide"/> builds it; the actor reads <see cref="Memory"/> and
/// <see cref="Effects"/> after.
/// </summary>
internal sealed class TaskStep(TaskMemory memory, ITaskEnvironment env)
{
    private readonly List<TaskEffect> _effects = [];

    public TaskMemory Memory { get; set; } = memory;
    public IReadOnlyList<TaskEffect> Effects => _effects;
    public ITaskEnvironment Env { get; } = env;

    public TaskState State
    {
        get => Memory.State;
        set => Memory = Memory with { State = value };
    }

    public string TaskId => Memory.TaskId;

    public void Do(TaskEffect effect) => _effects.Add(effect);

    /// <summary>Journals an event and applies it; subscribers see the state it leads to once it is written.</summary>
    public void Persist(ITaskEvent e)
    {
        // The end of a task whose webhook receives every state goes to the state deliverer's stream too.
        if (State.Request?.WebhookEveryState == true) e = TaskStateEvents.Announced(e);
        Do(new TaskEffect.Persist(e));
        State = State.Apply(e);
        Publish();
    }

    public void Publish() => Do(new TaskEffect.Publish(View()));

    public TaskView View() => TaskView.From(State) with { WaitingFor = Memory.WaitingFor };
}
