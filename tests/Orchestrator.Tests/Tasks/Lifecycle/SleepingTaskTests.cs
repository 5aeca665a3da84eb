using Orchestrator.Providers;
using Orchestrator.Tasks;
using Orchestrator.Tasks.Lifecycle;
using Orchestrator.Throttling;
using E = Orchestrator.Tasks.Lifecycle.TaskEffect;
using In = Orchestrator.Tasks.Lifecycle.TaskInput;

namespace Orchestrator.Tests.Tasks.Lifecycle;

/// <summary>
/// A task whose next poll is a long wait away sleeps through it: it offers, stops when told (leaving where its polling
/// was) or declines when something began meanwhile, and wakes where it left off.
/// </summary>
public sealed class SleepingTaskTests
{
    private readonly FixedEnvironment _env = new() { SleepAfter = TimeSpan.FromSeconds(3) };
    private TaskMemory _memory = TaskMemory.For("t1");
    private IReadOnlyList<TaskEffect> _effects = [];

    private void Step(TaskInput input)
    {
        var step = TaskMachine.Decide(_memory, input, _env);
        _memory = step.Memory;
        _effects = step.Effects;
    }

    private T Single<T>() where T : TaskEffect => Assert.Single(_effects.OfType<T>());
    private bool Has<T>() where T : TaskEffect => _effects.OfType<T>().Any();

    private static readonly ProviderTaskSnapshot Running = new("p1", ProviderTaskStatus.Running, [], null, null);

    /// <summary>Accepted, submitted, polled once (the provider says it runs): the next poll is the plan's 5 s away.</summary>
    private void PolledOnce()
    {
        Step(new In.Recovered());
        Step(new In.Accept(TaskStateTests.Request()));
        Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
        Step(new In.SubmitAnswered(new SubmitOutcome.Accepted("p1")));
        _env.Now += TimeSpan.FromSeconds(10);
        Step(new In.ProgressDue(CallKind.Poll));
        Step(new In.PermitGranted(CallKind.Poll, 2, _env.Now.AddSeconds(1)));
        Step(new In.QueryAnswered(new QueryOutcome.Found(Running), IsLookup: false));
    }

    [Fact]
    public void A_long_wait_for_the_next_poll_is_offered_for_sleep_and_slept_through_leaving_where_polling_was()
    {
        PolledOnce();
        var pollAt = _memory.State.NextPollAt!.Value;
        Assert.True(pollAt - _env.Now >= _env.SleepAfter);
        Single<E.PassivateSelf>();

        Step(new In.PassivateNow());
        Single<E.CancelAllTimers>();
        var resume = Single<E.Passivated>().Resume!;
        Assert.Equal(new TaskResume(pollAt, pollAt, TaskLifecycle.Processing, 1, 0, 0, null), resume);
    }

    [Fact]
    public void A_short_wait_is_not_offered()
    {
        _env.SleepAfter = TimeSpan.FromMinutes(1);
        PolledOnce();
        Assert.False(Has<E.PassivateSelf>());
    }

    [Fact]
    public void A_task_whose_timer_fired_after_it_offered_declines_and_keeps_waiting_on_its_permit()
    {
        PolledOnce();
        _env.Now = _memory.State.NextPollAt!.Value;
        Step(new In.ProgressDue(CallKind.Poll));
        Step(new In.PassivateNow());
        Single<E.DeclinePassivation>();
        Assert.Equal(Waiting.Permit, _memory.Waiting);
        Assert.False(Has<E.CancelAllTimers>());
    }

    [Fact]
    public void A_sleeping_task_wakes_at_its_deadline_when_that_comes_before_its_next_poll()
    {
        PolledOnce();
        _env.Now = FixedEnvironment.Start + TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(7);
        Step(new In.QueryAnswered(new QueryOutcome.Found(Running), IsLookup: false)); // a later poll: next one past the deadline
        Step(new In.PassivateNow());
        var resume = Single<E.Passivated>().Resume!;
        Assert.Equal(FixedEnvironment.Start + TimeSpan.FromMinutes(15), resume.WakeAt);
        Assert.True(resume.PollAt > resume.WakeAt);
    }

    [Fact]
    public void Woken_from_its_journal_and_resume_it_polls_when_it_was_due_with_its_count_and_status_kept()
    {
        PolledOnce();
        Step(new In.PassivateNow());
        var resume = Single<E.Passivated>().Resume!;

        // A new incarnation: the journal holds only the request and the provider's id.
        _memory = TaskMemory.For("t1") with
        {
            State = TaskState.Empty.Apply(new TaskAccepted("t1", TaskStateTests.Request(), FixedEnvironment.Start))
                .Apply(new TaskSubmitted("t1", "p1", 1, FixedEnvironment.Start)),
        };
        _env.Now += TimeSpan.FromSeconds(1); // woken early by a message
        Step(new In.Recovered(resume));
        Assert.Equal(resume.PollAt - _env.Now, Single<E.StartProgressTimer>().Delay);
        Assert.Equal(TaskLifecycle.Processing, _memory.State.Status);
        Assert.Equal(1, _memory.State.Polls);
        Single<E.StartDeadline>();
        Single<E.PassivateSelf>(); // still a long wait: offered again
    }

    [Fact]
    public void An_ended_task_stops_without_a_wake_up()
    {
        PolledOnce();
        Step(new In.Cancel());
        Step(new In.ProgressDue(CallKind.Poll)); // quiet watching polls once more
        Step(new In.PermitGranted(CallKind.Poll, 3, _env.Now.AddSeconds(1)));
        Step(new In.QueryAnswered(new QueryOutcome.Found(Running with { Status = ProviderTaskStatus.Succeeded }), IsLookup: false));
        Step(new In.PassivateNow());
        Assert.Null(Single<E.Passivated>().Resume);
    }

    /// <summary>What a restart reads back from the journal of a task at the provider: its request and the provider's id.</summary>
    private static TaskState Journaled(DateTimeOffset at) =>
        TaskState.Empty.Apply(new TaskAccepted("t1", TaskStateTests.Request(), at)).Apply(new TaskSubmitted("t1", "p1", 1, at));

    [Fact]
    public void After_a_restart_a_task_at_the_provider_sleeps_until_a_first_poll_spread_over_its_first_interval()
    {
        _env.Now = FixedEnvironment.Start + TimeSpan.FromMinutes(2);
        var resume = TaskMachine.SleepAfterRestart(Journaled(FixedEnvironment.Start), _env, _ => _env.Now.AddSeconds(3))!;

        // Its turn among the resumed tasks comes within the plan's first interval (10 s): half of it, at this environment's chance.
        Assert.Equal(new TaskResume(_env.Now.AddSeconds(5), _env.Now.AddSeconds(5), TaskLifecycle.Submitted, 0, 0, 0, null), resume);

        // Its wake is then the same as any sleeper's: it polls when due, deadline armed.
        _memory = TaskMemory.For("t1") with { State = Journaled(FixedEnvironment.Start) };
        _env.Now = resume.WakeAt;
        Step(new In.Recovered(resume));
        Assert.Equal(TimeSpan.Zero, Single<E.StartProgressTimer>().Delay);
        Single<E.StartDeadline>();
    }

    [Fact]
    public void After_a_restart_a_task_whose_turn_comes_after_its_first_interval_polls_at_its_turn()
    {
        string? askedFor = null;
        var resume = TaskMachine.SleepAfterRestart(Journaled(FixedEnvironment.Start), _env, account => { askedFor = account; return _env.Now.AddSeconds(42); })!;
        Assert.Equal(_env.Now.AddSeconds(42), resume.PollAt);
        Assert.Equal(TaskStateTests.Request().Provider, askedFor); // turns are kept per account
    }

    [Fact]
    public void After_a_restart_a_task_whose_deadline_comes_first_wakes_at_its_deadline()
    {
        _env.Now = FixedEnvironment.Start + TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(2);
        var resume = TaskMachine.SleepAfterRestart(Journaled(FixedEnvironment.Start), _env, _ => _env.Now)!;
        Assert.Equal(FixedEnvironment.Start + TimeSpan.FromMinutes(15), resume.WakeAt);
        Assert.True(resume.PollAt > resume.WakeAt);
    }

    [Fact]
    public void After_a_restart_a_task_with_more_to_do_than_wait_starts_as_an_actor_instead_and_takes_no_turn()
    {
        Func<string, DateTimeOffset> noTurn = _ => throw new InvalidOperationException("a task that does not sleep takes no turn");
        var accepted = TaskState.Empty.Apply(new TaskAccepted("t1", TaskStateTests.Request(), FixedEnvironment.Start));
        Assert.Null(TaskMachine.SleepAfterRestart(accepted, _env, noTurn)); // its submit is still to come
        Assert.Null(TaskMachine.SleepAfterRestart(TaskState.Empty, _env, noTurn)); // no journal at all
        var ended = Journaled(FixedEnvironment.Start).Apply(new TaskCancelled("t1", 0, FixedEnvironment.Start));
        Assert.Null(TaskMachine.SleepAfterRestart(ended, _env, noTurn));

        _env.Slots = 1; // slots to take back from the throttle
        Assert.Null(TaskMachine.SleepAfterRestart(Journaled(FixedEnvironment.Start), _env, noTurn));
        _env.Slots = 0;
        _env.Account = null; // an account to wait for
        Assert.Null(TaskMachine.SleepAfterRestart(Journaled(FixedEnvironment.Start), _env, noTurn));
    }
}
