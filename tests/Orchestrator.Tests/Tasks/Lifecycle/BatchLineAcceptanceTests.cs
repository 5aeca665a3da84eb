using Orchestrator.Providers;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Tasks.Lifecycle;
using Orchestrator.Throttling;
using E = Orchestrator.Tasks.Lifecycle.TaskEffect;
using In = Orchestrator.Tasks.Lifecycle.TaskInput;

namespace Orchestrator.Tests.Tasks.Lifecycle;

/// <summary>
/// A batch's line journals its acceptance with its submit (one write fewer per task): what is written, when its batch
/// hears of it, and every way the first write can be something else.
/// </summary>
public sealed class BatchLineAcceptanceTests
{
    private readonly MachineUnderTest _task = new(new FixedEnvironment());
    private FixedEnvironment Env => _task.Env;
    private IReadOnlyList<TaskEffect> Effects => _task.Effects;
    private List<ITaskEvent> Written => _task.Written;

    private void Step(TaskInput input) => _task.Step(input);

    private void HandedOver(GenerationRequest? request = null, bool fresh = true)
    {
        Step(new In.Recovered());
        Step(new In.Accept(request ?? TaskStateTests.Request(), DurableInBatch: true, FreshId: fresh));
    }

    private void Permitted() => Step(new In.PermitGranted(CallKind.Submit, 1, Env.Now.AddSeconds(1)));

    [Fact]
    public void A_batch_line_is_accepted_without_a_write_and_journals_its_acceptance_inside_its_submit()
    {
        HandedOver();
        Assert.Empty(Written);
        Assert.False(Effects.OfType<E.Reply>().Any() || Effects.OfType<E.AnswerBatch>().Any(), "the batch hears of it once it is journaled");
        Assert.Equal(CallKind.Submit, Assert.Single(Effects.OfType<E.RequestPermit>()).Kind);
        Assert.Equal(TaskLifecycle.Accepted, Assert.Single(Effects.OfType<E.Publish>()).View.Status);

        Env.Now += TimeSpan.FromSeconds(2);
        Permitted();
        Assert.IsType<E.Submit>(Assert.Single(Effects, e => e is E.Submit));
        Step(new In.SubmitAnswered(new SubmitOutcome.Accepted("p1")));

        var submitted = Assert.IsType<TaskSubmitted>(Assert.Single(Written));
        Assert.Equal(FixedEnvironment.Start, submitted.Accepted?.At);
        Assert.Equal("p1", submitted.ProviderTaskId);
        var answer = Assert.Single(Effects.OfType<E.AnswerBatch>());
        Assert.True(Effects.ToList().IndexOf(answer) > Effects.ToList().FindIndex(e => e is E.Persist), "answered after the write");
        Assert.Equal("t1", Assert.IsType<TaskAcceptedReply>(answer.Message).View.Id);
    }

    [Fact]
    public void That_one_event_recovers_and_projects_as_an_acceptance_followed_by_a_submit()
    {
        var e = new TaskSubmitted("t1", "p1", 1, FixedEnvironment.Start.AddSeconds(2)) { Accepted = new TaskAccepted("t1", TaskStateTests.Request(), FixedEnvironment.Start) };

        var state = TaskState.Empty.Apply(e);
        Assert.Equal((TaskLifecycle.Submitted, "p1", FixedEnvironment.Start, "a kangaroo"), (state.Status, state.ProviderTaskId, state.CreatedAt, state.Request?.Prompt));

        var view = TaskViewProjection.Apply(null, e);
        Assert.Equal(TaskView.From(state), view);
    }

    [Fact]
    public void Handed_over_again_before_the_write_it_stays_silent_then_answers_once()
    {
        HandedOver();
        Step(new In.Accept(TaskStateTests.Request(), DurableInBatch: true, FreshId: false));
        Assert.Empty(Effects);
        Permitted();
        Step(new In.SubmitAnswered(new SubmitOutcome.Accepted("p1")));
        Assert.Single(Effects.OfType<E.AnswerBatch>());

        Step(new In.Accept(TaskStateTests.Request(), DurableInBatch: true, FreshId: false));
        Assert.False(Assert.IsType<TaskAcceptedReply>(Assert.Single(Effects.OfType<E.Reply>()).Message).Created);
    }

    [Fact]
    public void A_line_cancelled_before_its_submit_journals_its_acceptance_then_its_end()
    {
        HandedOver();
        Step(new In.Cancel());
        Assert.Collection(Written, e => Assert.IsType<TaskAccepted>(e), e => Assert.IsType<TaskCancelled>(e));
        Assert.Single(Effects.OfType<E.AnswerBatch>());
    }

    [Fact]
    public void A_refused_submit_journals_the_acceptance_before_the_task_waits_to_retry()
    {
        HandedOver();
        Permitted();
        Step(new In.SubmitAnswered(new SubmitOutcome.Rejected(new ProviderError("40001", "QPS", true, IsRateLimit: true))));
        Assert.IsType<TaskAccepted>(Assert.Single(Written));
        Assert.Single(Effects.OfType<E.AnswerBatch>());

        Step(new In.ProgressDue(CallKind.Submit));
        Permitted();
        Step(new In.SubmitAnswered(new SubmitOutcome.Accepted("p1")));
        Assert.Null(Assert.IsType<TaskSubmitted>(Assert.Single(Written)).Accepted);
    }

    [Fact]
    public void A_line_handed_over_again_asks_the_provider_by_our_id_before_it_submits()
    {
        // The earlier hand-over may have submitted and crashed before its write.
        HandedOver(fresh: false);
        Permitted();
        Assert.True(Assert.Single(Effects.OfType<E.Query>()).IsLookup);
        Assert.DoesNotContain(Effects, e => e is E.Submit);
    }

    public static TheoryData<string> WrittenAtOnce => ["every state announced", "concurrency limit", "no external id", "single task"];

    [Theory]
    [MemberData(nameof(WrittenAtOnce))]
    public void Other_tasks_journal_their_acceptance_before_anything_else(string why)
    {
        var request = TaskStateTests.Request();
        switch (why)
        {
            case "every state announced": request = request with { WebhookEveryState = true }; break;
            case "concurrency limit": Env.Slots = 1; break;
            case "no external id": Env.Account = new ProviderCapabilities(TakesExternalId: false); break;
        }
        Step(new In.Recovered());
        Step(new In.Accept(request, DurableInBatch: why != "single task"));
        Assert.IsType<TaskAccepted>(Assert.Single(Written));
        Assert.Null(_task.Memory.UnwrittenAcceptance);
    }
}
