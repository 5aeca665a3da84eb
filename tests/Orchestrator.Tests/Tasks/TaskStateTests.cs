using Orchestrator.Tasks;

namespace Orchestrator.Tests.Tasks;

public sealed class TaskStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    internal static GenerationRequest Request(GenerationKind kind = GenerationKind.TextToImage) => new()
    {
        Provider = "simulator", Kind = kind, Model = "kling-v1-5", Prompt = "a kangaroo",
    };

    [Fact]
    public void Events_fold_into_the_lifecycle_a_user_sees()
    {
        var s = TaskState.Empty.Apply(new TaskAccepted("t1", Request(), T0));
        Assert.True(s.Exists);
        Assert.Equal(TaskLifecycle.Accepted, s.Status);
        Assert.Equal(T0, s.CreatedAt);

        s = s.WithSubmitting(1);
        Assert.Equal(TaskLifecycle.Submitting, s.Status);
        s = s.Apply(new TaskSubmitted("t1", "p-1", 1, T0.AddSeconds(1)));
        Assert.Equal(TaskLifecycle.Submitted, s.Status);
        Assert.Equal("p-1", s.ProviderTaskId);
        s = s.WithPolled().WithProcessing();
        Assert.Equal(TaskLifecycle.Processing, s.Status);
        s = s.Apply(new TaskSucceeded("t1", [new TaskResult(0, "http://x/0.png", "image")], 3, T0.AddSeconds(9)));

        Assert.Equal(TaskLifecycle.Succeeded, s.Status);
        Assert.True(s.IsTerminal);
        Assert.Equal(3, s.Polls);
        Assert.Single(s.Results);
        Assert.Equal(T0.AddSeconds(9), s.CompletedAt);
    }

    [Fact]
    public void A_failure_keeps_the_providers_code_and_message()
    {
        var s = TaskState.Empty.Apply(new TaskAccepted("t1", Request(), T0))
            .Apply(new TaskFailed("t1", new TaskError("1301", "content policy", false), 1, 0, T0));
        Assert.Equal(TaskLifecycle.Failed, s.Status);
        Assert.Equal(new TaskError("1301", "content policy", false), s.Error);
    }

    [Fact]
    public void Timing_out_records_a_deadline_error_and_keeps_the_provider_id()
    {
        var s = TaskState.Empty.Apply(new TaskAccepted("t1", Request(), T0))
            .Apply(new TaskSubmitted("t1", "p-9", 1, T0))
            .Apply(new TaskTimedOut("t1", 4, T0.AddMinutes(15)));
        Assert.Equal(TaskLifecycle.TimedOut, s.Status);
        Assert.Equal("p-9", s.ProviderTaskId);
        Assert.Equal("deadline_exceeded", s.Error!.Code);
    }

    [Fact]
    public void A_journaled_attempt_without_its_answer_is_unconfirmed_until_the_provider_id_is_journaled()
    {
        var s = TaskState.Empty.Apply(new TaskAccepted("t1", Request(), T0)).Apply(new TaskSubmitAttempted("t1", 1, T0));
        Assert.True(s.UnconfirmedAttempt);
        Assert.Equal(1, s.SubmitAttempts);
        s = s.Apply(new TaskSubmitted("t1", "p1", 1, T0));
        Assert.False(s.UnconfirmedAttempt);
    }

    [Fact]
    public void Processing_is_only_entered_from_submitted()
    {
        var accepted = TaskState.Empty.Apply(new TaskAccepted("t1", Request(), T0));
        Assert.Equal(TaskLifecycle.Accepted, accepted.WithProcessing().Status);
    }

    [Fact]
    public void Not_found_answers_count_from_the_first_until_the_task_is_found_again()
    {
        var s = TaskState.Empty.Apply(new TaskAccepted("t1", Request(), T0)).Apply(new TaskSubmitted("t1", "p-1", 1, T0));
        s = s.WithNotFoundAnswer(T0.AddSeconds(3)).WithNotFoundAnswer(T0.AddSeconds(7));
        Assert.Equal((2, T0.AddSeconds(3)), (s.NotFoundAnswers, s.NotFoundSince));
        s = s.WithTaskFound();
        Assert.Equal((0, (DateTimeOffset?)null), (s.NotFoundAnswers, s.NotFoundSince));
        Assert.Equal((1, T0.AddSeconds(20)), (s.WithNotFoundAnswer(T0.AddSeconds(20)).NotFoundAnswers, s.WithNotFoundAnswer(T0.AddSeconds(20)).NotFoundSince));
    }
}
