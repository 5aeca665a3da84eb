namespace Orchestrator.Tasks;

/// <summary>
/// The state of one task, folded from its journal events (pure: no Akka, no clock).
/// In-memory progress (submitting, processing, poll counters) is applied with the <c>With…</c> methods
/// and is not journaled.
/// </summary>
internal sealed record TaskState
{
    public static readonly TaskState Empty = new();

    public string TaskId { get; init; } = "";
    public GenerationRequest? Request { get; init; }
    public TaskLifecycle Status { get; init; } = TaskLifecycle.Accepted;
    public string? ProviderTaskId { get; init; }
    public IReadOnlyList<TaskResult> Results { get; init; } = [];
    public TaskError? Error { get; init; }
    public int SubmitAttempts { get; init; }
    /// <summary>
    /// A submit to a provider without external ids was journaled as started and its answer was not: after a
    /// restart this means the provider may already have the task (a possible duplicate, reported, never silent).
    /// </summary>
    public bool UnconfirmedAttempt { get; init; }
    /// <summary>A submit was sent while an earlier one may already have reached the provider: it may run there twice.</summary>
    public bool PossibleDuplicate { get; init; }
    public int Polls { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The <c>traceparent</c> of the request that created the task (<see cref="TaskAccepted.CreatedBy"/>).</summary>
    public string? CreatedBy { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public DateTimeOffset? NextPollAt { get; init; }
    /// <summary>Consecutive polls the provider answered "not found" for the provider id we hold (in memory only).</summary>
    public int NotFoundAnswers { get; init; }
    /// <summary>When the first of those answers came.</summary>
    public DateTimeOffset? NotFoundSince { get; init; }

    /// <summary>The error of a task whose deadline passed.</summary>
    public static readonly TaskError DeadlineExceeded = new("deadline_exceeded", "The task's deadline passed before the provider finished.", false);

    public bool Exists => Request is not null;
    public bool IsTerminal => Status.IsTerminal();

    public TaskState Apply(ITaskEvent e) => e switch
    {
        TaskAccepted a => this with { TaskId = a.TaskId, Request = a.Request, Status = TaskLifecycle.Accepted, CreatedAt = a.At, CreatedBy = a.CreatedBy },
        TaskSubmitAttempted s => this with { SubmitAttempts = s.Attempt, UnconfirmedAttempt = true, PossibleDuplicate = PossibleDuplicate || s.PossibleDuplicate },
        TaskSubmitRefused r => this with { SubmitAttempts = r.Counted ? r.Attempt : r.Attempt - 1, UnconfirmedAttempt = false },
        // A batch task's first write: its acceptance, then its submit.
        TaskSubmitted { Accepted: { } a } s => Apply(a).Apply(s with { Accepted = null }),
        // A submit answered after the user cancelled: the provider task exists and is kept, the end stays.
        TaskSubmitted s when IsTerminal => this with { ProviderTaskId = s.ProviderTaskId, SubmittedAt = s.At },
        TaskSubmitted s => this with
        {
            Status = TaskLifecycle.Submitted, ProviderTaskId = s.ProviderTaskId, SubmitAttempts = s.SubmitAttempts, SubmittedAt = s.At,
            UnconfirmedAttempt = false,
        },
        TaskProcessing => WithProcessing(),
        TaskSucceeded s => Ended(TaskLifecycle.Succeeded, s.At, s.Polls) with { Results = s.Results },
        TaskFailed f => Ended(TaskLifecycle.Failed, f.At, f.Polls) with { Error = f.Error, SubmitAttempts = Math.Max(SubmitAttempts, f.SubmitAttempts) },
        TaskTimedOut t => Ended(TaskLifecycle.TimedOut, t.At, t.Polls) with { Error = DeadlineExceeded },
        TaskCancelled c => Ended(TaskLifecycle.Cancelled, c.At, c.Polls),
        TaskCancelledQueued q => (this with { TaskId = q.TaskId, Request = q.Request, CreatedAt = q.At }).Ended(TaskLifecycle.Cancelled, q.At, 0),
        _ => this,
    };

    private TaskState Ended(TaskLifecycle status, DateTimeOffset at, int polls) =>
        this with { Status = status, CompletedAt = at, Polls = Math.Max(Polls, polls), NextPollAt = null };

    public TaskState WithSubmitting(int attempt) => this with { Status = TaskLifecycle.Submitting, SubmitAttempts = attempt };
    /// <summary>A submit refused for a reason that is not the task's (a rate limit) does not use up an attempt.</summary>
    public TaskState WithAttemptNotCounted() => this with { SubmitAttempts = Math.Max(0, SubmitAttempts - 1) };
    public TaskState WithBackToAccepted() => this with { Status = TaskLifecycle.Accepted };
    public TaskState WithPolled() => this with { Polls = Polls + 1, NextPollAt = null };
    public TaskState WithProcessing() => Status == TaskLifecycle.Submitted ? this with { Status = TaskLifecycle.Processing } : this;
    public TaskState WithNextPollAt(DateTimeOffset? at) => this with { NextPollAt = at };

    /// <summary>A poll answered "not found" for the provider id we hold: the streak grows.</summary>
    public TaskState WithNotFoundAnswer(DateTimeOffset at) => this with { NotFoundAnswers = NotFoundAnswers + 1, NotFoundSince = NotFoundSince ?? at };

    /// <summary>A poll found the task: any "not found" streak ends (a fault says nothing either way and leaves it).</summary>
    public TaskState WithTaskFound() => NotFoundAnswers == 0 ? this : this with { NotFoundAnswers = 0, NotFoundSince = null };
}
