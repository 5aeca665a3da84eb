using Orchestrator.Tasks;
using Orchestrator.Tasks.Lifecycle;

namespace Orchestrator.Tests.Tasks.Lifecycle;

/// <summary>One task's lifecycle driven a step at a time: its memory between steps and the effects of the last one.</summary>
internal sealed class MachineUnderTest(FixedEnvironment env, string taskId = "t1")
{
    public FixedEnvironment Env { get; } = env;
    public TaskMemory Memory { get; private set; } = TaskMemory.For(taskId);
    public IReadOnlyList<TaskEffect> Effects { get; private set; } = [];

    /// <summary>The events the last step journals, in order.</summary>
    public List<ITaskEvent> Written => Effects.OfType<TaskEffect.Persist>().Select(p => p.Event).ToList();

    public IReadOnlyList<TaskEffect> Step(TaskInput input)
    {
        var step = TaskMachine.Decide(Memory, input, Env);
        Memory = step.Memory;
        return Effects = step.Effects;
    }
}
