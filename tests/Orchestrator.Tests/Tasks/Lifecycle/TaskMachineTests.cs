using Orchestrator.Providers;
using Orchestrator.ResultFiles;
using Orchestrator.Tasks;
using Orchestrator.Tasks.Lifecycle;
using Orchestrator.Throttling;
using E = Orchestrator.Tasks.Lifecycle.TaskEffect;
using In = Orchestrator.Tasks.Lifecycle.TaskInput;

namespace Orchestrator.Tests.Tasks.Lifecycle;

/// <summary>The task lifecycle as a plain function: each transition, race and fixed bug in a few lines, without Akka, SQLite or HTTP.</summary>
public sealed class TaskMachineTests
{
    private readonly FixedEnvironment _env = new();
    private TaskMemory _memory = TaskMemory.For("t1");
    private IReadOnlyList<TaskEffect> _effects = [];

    private IReadOnlyList<TaskEffect> Step(TaskInput input)
    {
        var step = TaskMachine.Decide(_memory, input, _env);
        _memory = step.Memory;
        return _effects = step.Effects;
    }

    private T Single<T>() where T : TaskEffect => Assert.Single(_effects.OfType<T>());
    private bool Has<T>() where T : TaskEffect => _effects.OfType<T>().Any();

    private static readonly ProviderTaskSnapshot Done = new("p1", ProviderTaskStatus.Succeeded, [new TaskResult(0, "http://p/0.png", "image")], null, null);

    /// <summary>A task accepted, granted a permit and submitted, now waiting on its first poll's timer.</summary>
    private void Submitted()
    {
        Step(new In.Recovered());
        Step(new In.Accept(TaskStateTests.Request()));
        Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
        Step(new In.SubmitAnswered(new SubmitOutcome.Accepted("p1")));
    }

    /// <summary>Submitted at <see cref="FixedEnvironment.Start"/>; its first poll, <paramref name="after"/> later, finds <paramref name="found"/>.</summary>
    private void SubmittedThenPolledAfter(TimeSpan after, ProviderTaskSnapshot found)
    {
        Submitted();
        _env.Now += after;
        Step(new In.ProgressDue(CallKind.Poll));
        Step(new In.PermitGranted(CallKind.Poll, 2, _env.Now.AddSeconds(1)));
        Step(new In.QueryAnswered(new QueryOutcome.Found(found), IsLookup: false));
    }

    private void Recover(params ITaskEvent[] journal)
    {
        _memory = TaskMemory.For("t1") with { State = journal.Aggregate(TaskState.Empty, (s, e) => s.Apply(e)) };
        Step(new In.Recovered());
    }

    private static TaskAccepted Accepted() => new("t1", TaskStateTests.Request(), FixedEnvironment.Start);

    [Fact]
    public void Accepting_journals_the_request_answers_once_written_arms_the_deadline_and_asks_for_a_submit_permit()
    {
        Step(new In.Recovered());
        Step(new In.Accept(TaskStateTests.Request()));
        Assert.IsType<TaskAccepted>(Assert.IsType<E.Persist>(_effects[0]).Event);
        var reply = _effects.OfType<E.Reply>().Single();
        Assert.True(((TaskAcceptedReply)reply.Message).Created);
        Assert.True(_effects.ToList().IndexOf(reply) > 0, "the answer comes after the journal write");
        Assert.Equal(TimeSpan.FromMinutes(15), Single<E.StartDeadline>().Delay);
        Assert.Equal(CallKind.Submit, Single<E.RequestPermit>().Kind);
        Assert.Equal(Waiting.Permit, _memory.Waiting);
    }

    [Fact]
    public void A_submitted_task_schedules_its_first_poll_from_its_plan()
    {
        Submitted();
        Assert.IsType<TaskSubmitted>(Assert.IsType<E.Persist>(_effects.First(e => e is E.Persist)).Event);
        Assert.Equal(TimeSpan.FromSeconds(10), Single<E.StartProgressTimer>().Delay);
        Assert.Equal(Waiting.Timer, _memory.Waiting);
    }

    [Fact]
    public void A_provider_end_dated_before_our_submit_teaches_a_duration_of_zero_not_our_wait_until_the_poll()
    {
        // Done at once: the provider's end time is its creation, a moment before our submit's answer was recorded.
        SubmittedThenPolledAfter(TimeSpan.FromSeconds(12), Done with { UpdatedAt = FixedEnvironment.Start.AddMilliseconds(-20) });

        var learned = Single<E.Learn>();
        Assert.Equal(0, learned.DurationSeconds);
        Assert.Equal(TimeSpan.FromSeconds(12), learned.DetectionLag);
    }

    [Fact]
    public void A_provider_end_time_teaches_the_duration_from_our_submit()
    {
        SubmittedThenPolledAfter(TimeSpan.FromSeconds(12), Done with { UpdatedAt = FixedEnvironment.Start.AddSeconds(7) });

        var learned = Single<E.Learn>();
        Assert.Equal(7, learned.DurationSeconds, precision: 6);
        Assert.Equal(TimeSpan.FromSeconds(5), learned.DetectionLag);
    }

    [Fact]
    public void Cancel_racing_the_poll_that_finds_success_ends_the_task_once()
    {
        Submitted();
        Step(new In.ProgressDue(CallKind.Poll));
        Step(new In.PermitGranted(CallKind.Poll, 2, _env.Now.AddSeconds(1)));
        Step(new In.Cancel());
        Assert.IsType<TaskCancelled>(Single<E.Persist>().Event);
        Step(new In.QueryAnswered(new QueryOutcome.Found(Done), IsLookup: false));
        Assert.False(Has<E.Persist>());
        Assert.Equal(TaskLifecycle.Cancelled, _memory.State.Status);
        Assert.True(Has<E.IdleTimeout>(), "the provider task ended: nothing left to watch");
    }

    [Fact]
    public void An_ended_task_started_again_for_a_read_goes_idle_again()
    {
        Recover(Accepted(), new TaskSubmitted("t1", "p1", 1, _env.Now), new TaskSucceeded("t1", Done.Results, 1, _env.Now));
        Assert.Equal(TimeSpan.FromSeconds(30), Single<E.IdleTimeout>().After);
        Step(new In.Get());
        Assert.IsType<TaskView>(Single<E.Reply>().Message);
        Step(new In.Idle());
        Single<E.PassivateSelf>();
    }

    [Fact]
    public void Cancelling_while_results_are_stored_discards_them_and_lets_the_actor_go()
    {
        _env.StoresResults = true;
        Submitted();
        Step(new In.ProgressDue(CallKind.Poll));
        Step(new In.PermitGranted(CallKind.Poll, 2, _env.Now.AddSeconds(1)));
        Step(new In.QueryAnswered(new QueryOutcome.Found(Done), IsLookup: false));
        var store = Single<E.StoreResults>();
        Step(new In.Cancel());
        Assert.IsType<TaskCancelled>(Single<E.Persist>().Event);
        Assert.False(Has<E.StartProgressTimer>(), "no quiet watching: the provider task has ended");
        Step(new In.ResultsStored(store.Succeeded, new RehostOutcome.Stored([new StoredFile(0, "abc", 10, "image/png")])));
        Single<E.DiscardResults>();
        Single<E.IdleTimeout>();
    }

    [Fact]
    public void A_task_of_an_account_no_longer_configured_waits_without_calls_says_why_and_still_meets_its_deadline()
    {
        _env.Account = null;
        Recover(Accepted(), new TaskSubmitted("t1", "p1", 1, _env.Now));
        Assert.False(Has<E.RequestPermit>() || Has<E.StartProgressTimer>());
        Single<E.StartDeadline>();
        Step(new In.Get());
        Assert.Equal("account simulator is not configured", ((TaskView)Single<E.Reply>().Message).WaitingFor);
        Step(new In.DeadlineDue());
        Assert.IsType<TaskTimedOut>(Single<E.Persist>().Event);
    }

    [Fact]
    public void An_expired_permit_is_read_on_the_task_clock_and_asked_for_again_keeping_its_place()
    {
        Step(new In.Recovered());
        Step(new In.Accept(TaskStateTests.Request()));
        var useBy = _env.Now.AddMilliseconds(250);
        _env.Now = useBy.AddMilliseconds(1);
        Step(new In.PermitGranted(CallKind.Submit, 7, useBy));
        Assert.Equal(new E.FinishCall(7, Used: false), Single<E.FinishCall>()); // never spent: its place in the window goes back
        Assert.True(Single<E.RequestPermit>().Again);
        Assert.False(Has<E.Submit>());
    }

    [Fact]
    public void A_chanjing_submit_answered_with_a_rate_limit_is_settled_in_the_journal_so_a_restart_reports_no_duplicate()
    {
        _env.Account = new ProviderCapabilities(TakesExternalId: false, BatchQuerySize: 50);
        var journal = new List<ITaskEvent>();
        Step(new In.Recovered());
        Step(new In.Accept(TaskStateTests.Request()));
        journal.AddRange(_effects.OfType<E.Persist>().Select(p => p.Event));
        Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
        journal.AddRange(_effects.OfType<E.Persist>().Select(p => p.Event));
        Step(new In.SubmitAnswered(new SubmitOutcome.Rejected(new ProviderError("40001", "QPS", true, IsRateLimit: true))));
        journal.AddRange(_effects.OfType<E.Persist>().Select(p => p.Event));
        Assert.Equal(0, _memory.State.SubmitAttempts);

        Recover([.. journal]);
        Assert.False(Has<E.Warn>(), "a refused submit is no possible duplicate");
        Assert.Equal(0, _memory.State.SubmitAttempts);
    }

    [Fact]
    public void A_submit_never_sent_because_its_permit_ran_out_asks_again_at_once_uses_no_attempt_and_is_no_possible_duplicate()
    {
        _env.Account = new ProviderCapabilities(TakesExternalId: false);
        var journal = new List<ITaskEvent>();
        Step(new In.Recovered());
        Step(new In.Accept(TaskStateTests.Request()));
        journal.AddRange(_effects.OfType<E.Persist>().Select(p => p.Event));
        Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
        Assert.Equal(_env.Now.AddSeconds(1), Single<E.Submit>().UseBy); // the send point refuses it after that
        journal.AddRange(_effects.OfType<E.Persist>().Select(p => p.Event));

        Step(new In.SubmitAnswered(new SubmitOutcome.Rejected(new ProviderError(ProviderHttp.NotSent, "permit ran out", true, RetryAfter: TimeSpan.Zero))));
        journal.AddRange(_effects.OfType<E.Persist>().Select(p => p.Event));
        Assert.False(Assert.IsType<TaskSubmitRefused>(Single<E.Persist>().Event).Counted);
        Assert.Equal(0, _memory.State.SubmitAttempts);
        Assert.Equal(TimeSpan.Zero, Single<E.StartProgressTimer>().Delay);

        Recover([.. journal]);
        Assert.False(Has<E.Warn>(), "a submit never sent is no possible duplicate");
    }

    [Fact]
    public void A_poll_never_sent_because_its_permit_ran_out_is_no_provider_failure()
    {
        Submitted();
        Step(new In.ProgressDue(CallKind.Poll));
        Step(new In.PermitGranted(CallKind.Poll, 2, _env.Now.AddSeconds(1)));
        Assert.Equal(_env.Now.AddSeconds(1), Single<E.Query>().UseBy);
        Step(new In.QueryAnswered(new QueryOutcome.Error(new ProviderError(ProviderHttp.NotSent, "permit ran out", true, RetryAfter: TimeSpan.Zero)), IsLookup: false));
        Assert.Equal(0, _memory.ConsecutiveFailures);
        Assert.True(Has<E.StartProgressTimer>());
    }

    [Fact]
    public void A_submit_whose_answer_was_lost_on_a_provider_without_external_ids_is_reported_after_a_restart()
    {
        _env.Account = new ProviderCapabilities(TakesExternalId: false);
        Recover(Accepted(), new TaskSubmitAttempted("t1", 1, _env.Now));
        Assert.Contains("possible duplicate", Single<E.Warn>().Message);

        // The next attempt is journaled as one: the view marks the task possibleDuplicate.
        Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
        var attempt = Assert.IsType<TaskSubmitAttempted>(Single<E.Persist>().Event);
        Assert.Equal((2, true), (attempt.Attempt, attempt.PossibleDuplicate));
        Assert.True(_memory.State.PossibleDuplicate);
    }

    [Fact]
    public void Not_found_for_a_task_we_hold_is_polled_again_up_to_the_bound_then_fails_saying_so()
    {
        _env.Slots = 1;
        Submitted();
        var notFound = new QueryOutcome.Error(new ProviderError("1203", "task not found", false, IsNotFound: true));
        for (var i = 1; i <= 4; i++)
        {
            Step(new In.ProgressDue(CallKind.Poll));
            Step(new In.PermitGranted(CallKind.Poll, 10 + i, _env.Now.AddSeconds(1)));
            Step(new In.QueryAnswered(notFound, IsLookup: false));
            Single<E.StartProgressTimer>();
            Assert.False(Has<E.ReleaseSlots>(), "the provider may still run it");
        }
        Step(new In.ProgressDue(CallKind.Poll));
        Step(new In.PermitGranted(CallKind.Poll, 20, _env.Now.AddSeconds(1)));
        Step(new In.QueryAnswered(notFound, IsLookup: false));
        var failed = Assert.IsType<TaskFailed>(Single<E.Persist>().Event);
        Assert.Equal("1203", failed.Error.Code);
        Assert.Contains("does not know task p1 after 5 queries over", failed.Error.Message);
        Assert.True(Has<E.ReleaseSlots>());
    }

    [Fact]
    public void Not_found_when_looking_up_before_a_resubmit_means_not_submitted()
    {
        Recover(Accepted());
        Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
        Assert.True(Single<E.Query>().IsLookup);
        Step(new In.QueryAnswered(new QueryOutcome.Error(new ProviderError("1203", "task not found", false, IsNotFound: true)), IsLookup: true));
        Assert.Equal(CallKind.Submit, Single<E.RequestPermit>().Kind);
        Assert.False(Has<E.Persist>());
    }

    [Fact]
    public void Lookups_that_fail_during_a_provider_outage_back_off_and_outlast_two_minutes()
    {
        // A submit whose answer was lost is looked up by external id before being sent again. Found by the chaos run:
        // the failed lookups were retried at the first attempt's delay, so 20 of them (the failure bound) fit in about
        // 20 s of a provider outage and the task failed although the provider came back two minutes later.
        Recover(Accepted());
        var outage = new ProviderError("http_503", "Service Unavailable", true);
        var waited = TimeSpan.Zero;
        var delays = new List<TimeSpan>();
        while (waited < TimeSpan.FromMinutes(2))
        {
            Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
            Assert.True(Single<E.Query>().IsLookup);
            Step(new In.QueryAnswered(new QueryOutcome.Error(outage), IsLookup: true));
            Assert.False(_memory.State.IsTerminal, $"the task ended after {delays.Count} failed lookups over {waited.TotalSeconds:0} s: {_memory.State.Error?.Message}");
            var delay = Single<E.StartProgressTimer>().Delay;
            delays.Add(delay);
            waited += delay;
            _env.Now += delay;
            Step(new In.ProgressDue(CallKind.Submit));
        }
        Assert.True(delays[^1] > delays[0] * 4, $"lookup delays do not grow: {string.Join(", ", delays.Select(d => d.TotalSeconds))}");
    }

    [Fact]
    public void A_lookup_answered_not_found_ends_the_failure_streak_so_the_next_submit_backs_off_by_its_attempts()
    {
        // Found by CI's chaos test: lookups that failed during an outage, then a "not found" (an answer, not a failure),
        // kept counting as failures in a row, so each later submit failure waited 16, 32, 60 s and a task outlasted the run.
        Recover(Accepted());
        var outage = new ProviderError("http_503", "Service Unavailable", true);
        for (var i = 0; i < 5; i++)
        {
            Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
            Step(new In.QueryAnswered(new QueryOutcome.Error(outage), IsLookup: true));
            _env.Now += Single<E.StartProgressTimer>().Delay;
            Step(new In.ProgressDue(CallKind.Submit));
        }
        Step(new In.PermitGranted(CallKind.Submit, 1, _env.Now.AddSeconds(1)));
        Step(new In.QueryAnswered(new QueryOutcome.Error(new ProviderError("1203", "task not found", false, IsNotFound: true)), IsLookup: true));
        Step(new In.PermitGranted(CallKind.Submit, 2, _env.Now.AddSeconds(1)));
        Step(new In.SubmitAnswered(new SubmitOutcome.Rejected(new ProviderError("http_500", "Internal Server Error", true))));

        // The first counted attempt failed: the base delay (1 s here), not the sixth step of the lookups' streak (32 s).
        Assert.Equal(TimeSpan.FromSeconds(1), Single<E.StartProgressTimer>().Delay);
    }

    [Fact]
    public void An_ended_callback_while_a_poll_is_in_flight_is_verified_right_after_it()
    {
        Submitted();
        Step(new In.ProgressDue(CallKind.Poll));
        Step(new In.PermitGranted(CallKind.Poll, 2, _env.Now.AddSeconds(1)));
        Step(new In.CallbackReceived(Done));
        Assert.Empty(_effects);
        Step(new In.QueryAnswered(new QueryOutcome.Found(Done with { Status = ProviderTaskStatus.Running }), IsLookup: false));
        Assert.Equal(CallKind.Poll, Single<E.RequestPermit>().Kind);
        Assert.False(Has<E.StartProgressTimer>());
    }

    [Fact]
    public void The_deadline_does_not_cut_a_finished_task_whose_results_are_being_stored()
    {
        _env.StoresResults = true;
        Submitted();
        Step(new In.ProgressDue(CallKind.Poll));
        Step(new In.PermitGranted(CallKind.Poll, 2, _env.Now.AddSeconds(1)));
        Step(new In.QueryAnswered(new QueryOutcome.Found(Done), IsLookup: false));
        Step(new In.DeadlineDue());
        Assert.Empty(_effects);
    }
}
