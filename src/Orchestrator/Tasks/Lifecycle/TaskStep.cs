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

    /// <summary>
    /// Journals an event and applies it; subscribers see the state it leads to once it is written. A batch's line
    /// accepted in memory journals its acceptance first: inside a submit's event, or else as an event of its own.
    /// </summary>
    public void Persist(ITaskEvent e)
    {
        // The end of a task whose webhook receives every state goes to the state deliverer's stream too.
        if (State.Request?.WebhookEveryState == true) e = TaskStateEvents.Announced(e);
        var accepted = Memory.UnwrittenAcceptance;
        Memory = Memory with { UnwrittenAcceptance = null };
        // Otherwise both events go in one journal write (the actor joins adjacent writes): readers never see the
        // acceptance without the end that came with it, so a cancelled batch's tally never steps back.
        if (accepted is not null && e is not TaskSubmitted) Do(new TaskEffect.Persist(accepted));
        Do(new TaskEffect.Persist(accepted is not null && e is TaskSubmitted submitted ? submitted with { Accepted = accepted } : e));
        State = State.Apply(e); // the acceptance is in the state already
        if (accepted is not null) Do(new TaskEffect.AnswerBatch(new TaskAcceptedReply(View(), true)));
        Publish();
    }

    /// <summary>Journals a batch line's acceptance kept in memory (if any) as an event of its own, and answers its batch.</summary>
    public void WriteAcceptance()
    {
        if (Memory.UnwrittenAcceptance is not { } accepted) return;
        Memory = Memory with { UnwrittenAcceptance = null };
        Do(new TaskEffect.Persist(accepted));
        Do(new TaskEffect.AnswerBatch(new TaskAcceptedReply(View(), true)));
    }

    public void Publish() => Do(new TaskEffect.Publish(View()));

    public TaskView View() => TaskView.From(State) with { WaitingFor = Memory.WaitingFor };
}
