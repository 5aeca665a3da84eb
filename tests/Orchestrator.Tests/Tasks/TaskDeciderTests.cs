using Orchestrator.Providers;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Tasks;

public sealed class TaskDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private static readonly TaskState Submitting = TaskState.Empty.Apply(new TaskAccepted("t1", TaskStateTests.Request(), Now)).WithSubmitting(1);
    private static readonly TaskState Submitted = Submitting.Apply(new TaskSubmitted("t1", "p1", 1, Now));

    private static ProviderTaskSnapshot Snapshot(ProviderTaskStatus status, string? msg = null) =>
        new("p1", status, status == ProviderTaskStatus.Succeeded ? [new TaskResult(0, "http://r/0.png", "image")] : [], msg, Now);

    [Fact]
    public void An_accepted_submit_journals_the_provider_id()
    {
        var d = TaskDecider.OnSubmit(Submitting, new SubmitOutcome.Accepted("p1"), 6, Now);
        var e = Assert.IsType<TaskSubmitted>(Assert.IsType<TaskDecision.Persist>(d).Event);
        Assert.Equal("p1", e.ProviderTaskId);
        Assert.Equal(1, e.SubmitAttempts);
    }

    [Fact]
    public void A_rate_limit_answer_is_retried_without_using_an_attempt()
    {
        var d = TaskDecider.OnSubmit(Submitting with { SubmitAttempts = 6 },
            new SubmitOutcome.Rejected(new ProviderError("1302", "slow down", true, IsRateLimit: true)), 6, Now);
        var retry = Assert.IsType<TaskDecision.RetrySubmit>(d);
        Assert.False(retry.CountsAsAttempt);
        Assert.False(retry.LookupFirst);
    }

    [Fact]
    public void A_transient_submit_fault_is_retried_and_an_ambiguous_one_is_looked_up_first()
    {
        var timeout = TaskDecider.OnSubmit(Submitting, new SubmitOutcome.Rejected(new ProviderError("timeout", "late", true)), 6, Now);
        Assert.True(Assert.IsType<TaskDecision.RetrySubmit>(timeout).LookupFirst);
        var refused = TaskDecider.OnSubmit(Submitting, new SubmitOutcome.Rejected(new ProviderError("connection", "refused", true)), 6, Now);
        Assert.False(Assert.IsType<TaskDecision.RetrySubmit>(refused).LookupFirst);
    }

    [Fact]
    public void Transient_submit_faults_end_in_failure_with_the_last_error_after_the_last_attempt()
    {
        var d = TaskDecider.OnSubmit(Submitting with { SubmitAttempts = 6 }, new SubmitOutcome.Rejected(new ProviderError("5000", "internal", true)), 6, Now);
        var failed = Assert.IsType<TaskFailed>(Assert.IsType<TaskDecision.Persist>(d).Event);
        Assert.Equal("5000", failed.Error.Code);
    }

    [Fact]
    public void A_final_submit_error_fails_at_once()
    {
        var d = TaskDecider.OnSubmit(Submitting, new SubmitOutcome.Rejected(new ProviderError("1000", "authentication failed", false)), 6, Now);
        var failed = Assert.IsType<TaskFailed>(Assert.IsType<TaskDecision.Persist>(d).Event);
        Assert.Equal(new TaskError("1000", "authentication failed", false), failed.Error);
    }

    [Fact]
    public void A_provider_failure_reported_with_code_zero_keeps_its_status_message()
    {
        var d = TaskDecider.OnPoll(Submitted, new QueryOutcome.Found(Snapshot(ProviderTaskStatus.Failed, "risk control: image blocked")), 0, 20, 5, Now);
        var failed = Assert.IsType<TaskFailed>(Assert.IsType<TaskDecision.Persist>(d).Event);
        Assert.Equal("risk control: image blocked", failed.Error.Message);
        Assert.False(failed.Error.Retryable);
    }

    [Fact]
    public void Polls_map_queued_running_and_succeeded()
    {
        Assert.Equal(new TaskDecision.PollLater(false), TaskDecider.OnPoll(Submitted, new QueryOutcome.Found(Snapshot(ProviderTaskStatus.Queued)), 0, 20, 5, Now));
        Assert.Equal(new TaskDecision.PollLater(true), TaskDecider.OnPoll(Submitted, new QueryOutcome.Found(Snapshot(ProviderTaskStatus.Running)), 0, 20, 5, Now));
        var ok = TaskDecider.OnPoll(Submitted, new QueryOutcome.Found(Snapshot(ProviderTaskStatus.Succeeded)), 0, 20, 5, Now);
        Assert.Single(Assert.IsType<TaskSucceeded>(Assert.IsType<TaskDecision.Persist>(ok).Event).Results);
    }

    [Fact]
    public void Failed_polls_are_tolerated_up_to_the_bound()
    {
        var fault = new QueryOutcome.Error(new ProviderError("malformed_response", "bad body", true));
        Assert.IsType<TaskDecision.PollLater>(TaskDecider.OnPoll(Submitted, fault, 19, 20, 5, Now));
        var failed = Assert.IsType<TaskFailed>(Assert.IsType<TaskDecision.Persist>(TaskDecider.OnPoll(Submitted, fault, 20, 20, 5, Now)).Event);
        Assert.Equal("malformed_response", failed.Error.Code);
    }

    [Fact]
    public void A_provider_that_does_not_know_a_task_we_hold_the_id_of_is_asked_again_before_the_task_fails()
    {
        var notFound = new QueryOutcome.Error(new ProviderError("1203", "task not found", false, IsNotFound: true));
        var s = Submitted;
        for (var answer = 1; answer < 5; answer++)
        {
            s = s.WithNotFoundAnswer(Now.AddSeconds(3 * answer));
            // The generic fault count is not what bounds it: a 1203 is not a retryable fault.
            Assert.Equal(new TaskDecision.PollLater(false), TaskDecider.OnPoll(s, notFound, answer, 20, 5, Now.AddSeconds(3 * answer)));
        }

        s = s.WithNotFoundAnswer(Now.AddSeconds(15));
        var failed = Assert.IsType<TaskFailed>(Assert.IsType<TaskDecision.Persist>(TaskDecider.OnPoll(s, notFound, 5, 20, 5, Now.AddSeconds(15))).Event);
        Assert.Equal("1203", failed.Error.Code);
        Assert.False(failed.Error.Retryable);
        Assert.Equal("The provider does not know task p1 after 5 queries over 12 s (last answer: task not found).", failed.Error.Message);
    }

    [Fact]
    public void A_lookup_after_a_crash_adopts_the_provider_task_or_submits_when_there_is_none()
    {
        var accepted = TaskState.Empty.Apply(new TaskAccepted("t1", TaskStateTests.Request(), Now));
        var found = TaskDecider.OnLookup(accepted, new QueryOutcome.Found(Snapshot(ProviderTaskStatus.Running)), 0, 20, Now);
        Assert.Equal("p1", Assert.IsType<TaskSubmitted>(Assert.IsType<TaskDecision.Persist>(found).Event).ProviderTaskId);
        var none = TaskDecider.OnLookup(accepted, new QueryOutcome.Error(new ProviderError("1203", "not found", false, IsNotFound: true)), 0, 20, Now);
        Assert.IsType<TaskDecision.SubmitNow>(none);
    }
}
