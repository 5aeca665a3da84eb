using Akka.Persistence.Journal;
using Orchestrator.Persistence;
using Orchestrator.Providers;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Tasks.Lifecycle;
using Orchestrator.Throttling;
using E = Orchestrator.Tasks.Lifecycle.TaskEffect;
using In = Orchestrator.Tasks.Lifecycle.TaskInput;

namespace Orchestrator.Tests.Tasks.Lifecycle;

/// <summary>
/// A task whose webhook receives every state (a Kling-style relay task with a <c>callback_url</c>) makes each state
/// change durable and findable: "processing" is journaled once, its end is marked, and all of them carry the
/// <c>task-state</c> tag. Every other task journals and tags exactly what it did before.
/// </summary>
public sealed class EveryStateTaskTests
{
    private readonly FixedEnvironment _env = new();
    private TaskMemory _memory = TaskMemory.For("t1");
    private IReadOnlyList<TaskEffect> _effects = [];

    private static readonly ProviderTaskSnapshot Running = new("p1", ProviderTaskStatus.Running, [], null, null);
    private static readonly ProviderTaskSnapshot Done = new("p1", ProviderTaskStatus.Succeeded, [new TaskResult(0, "http://p/0.png", "image")], null, null);

    private void Step(TaskInput input)
    {
        var step = TaskMachine.Decide(_memory, input, _env);
        _memory = step.Memory;
        _effects = step.Effects;
    }

    private List<ITaskEvent> Journaled => _effects.OfType<E.Persist>().Select(p => p.Event).ToList();

    private List<ITaskEvent> Run(bool everyState)
    {
        var journal = new List<ITaskEvent>();
        var request = TaskStateTests.Request() with { WebhookUrl = "https://example.com/cb", WebhookEveryState = everyState ? true : null };
        Step(new In.Recovered());
        Step(new In.Accept(request));
        journal.AddRange(Journaled);
        Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
        Step(new In.SubmitAnswered(new SubmitOutcome.Accepted("p1")));
        journal.AddRange(Journaled);
        foreach (var answer in new[] { Running, Running, Done })
        {
            Step(new In.ProgressDue(CallKind.Poll));
            Step(new In.PermitGranted(CallKind.Poll, 2, _env.Now.AddSeconds(1)));
            Step(new In.QueryAnswered(new QueryOutcome.Found(answer), IsLookup: false));
            journal.AddRange(Journaled);
        }
        return journal;
    }

    private static string[] Tags(ITaskEvent e) => new OrchestratorEventTags().ToJournal(e) is Tagged t ? [.. t.Tags.Order(StringComparer.Ordinal)] : [];

    [Fact]
    public void Processing_is_journaled_once_the_end_is_marked_and_every_state_change_carries_the_task_state_tag()
    {
        var journal = Run(everyState: true);

        Assert.Equal([typeof(TaskAccepted), typeof(TaskSubmitted), typeof(TaskProcessing), typeof(TaskSucceeded)], journal.Select(e => e.GetType()));
        Assert.True(((TaskSucceeded)journal[3]).WebhookEveryState);
        Assert.Equal(["task", "task-state"], Tags(journal[0]));
        Assert.Equal(["task"], Tags(journal[1])); // "submitted" is the acceptance's state for Kling: posted once, at acceptance
        Assert.Equal(["task", "task-state"], Tags(journal[2]));
        Assert.Equal(["task", "task-state"], Tags(journal[3]));
    }

    [Fact]
    public void Any_other_task_keeps_processing_in_memory_and_its_events_as_they_were()
    {
        var journal = Run(everyState: false);

        Assert.Equal([typeof(TaskAccepted), typeof(TaskSubmitted), typeof(TaskSucceeded)], journal.Select(e => e.GetType()));
        Assert.Null(((TaskSucceeded)journal[2]).WebhookEveryState);
        Assert.All(journal, e => Assert.Equal(["task"], Tags(e)));
    }

    [Fact]
    public void A_journaled_processing_is_the_state_a_restart_and_the_read_model_come_back_to()
    {
        var accepted = new TaskAccepted("t1", TaskStateTests.Request() with { WebhookEveryState = true }, FixedEnvironment.Start);
        var submitted = new TaskSubmitted("t1", "p1", 1, FixedEnvironment.Start);
        var processing = new TaskProcessing("t1", FixedEnvironment.Start.AddSeconds(2));

        var state = new ITaskEvent[] { accepted, submitted, processing }.Aggregate(TaskState.Empty, (s, e) => s.Apply(e));
        Assert.Equal(TaskLifecycle.Processing, state.Status);
        var view = new ITaskEvent[] { submitted, processing }.Aggregate(TaskViewProjection.Apply(null, accepted), (v, e) => TaskViewProjection.Apply(v, e));
        Assert.Equal(TaskLifecycle.Processing, view!.Status);
    }
}
