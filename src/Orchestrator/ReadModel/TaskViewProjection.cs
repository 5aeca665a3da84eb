using Orchestrator.Tasks;

namespace Orchestrator.ReadModel;

/// <summary>
/// How one journal event changes a task's stored view (pure). It gives the same view as folding the task's events into
/// <see cref="TaskState"/> and taking <c>TaskView.From</c>, from the stored view alone: the read model keeps views, not
/// requests, so a row stays small. In-memory progress (submitting, processing, polls so far, the next poll) is not in
/// the journal and so not here; a task running on this node shows it through <see cref="LiveTaskViews"/>.
/// </summary>
internal static class TaskViewProjection
{
    /// <summary>The view after <paramref name="e"/>; null when the event cannot start a view and there is none yet.</summary>
    public static TaskView? Apply(TaskView? view, ITaskEvent e) => (view, e) switch
    {
        (null, TaskAccepted a) => TaskView.From(TaskState.Empty.Apply(a)),
        (null, TaskCancelledQueued q) => TaskView.From(TaskState.Empty.Apply(q)),
        // A batch task's acceptance comes with its submit (<see cref="TaskSubmitted.Accepted"/>).
        (null, TaskSubmitted { Accepted: { } a } s) => Apply(TaskView.From(TaskState.Empty.Apply(a)), s with { Accepted = null }),
        (null, _) => null,
        // A task exists once: a repeated acceptance (an idempotent resubmit never journals one) changes nothing.
        (_, TaskAccepted or TaskCancelledQueued) => view,
        (_, TaskSubmitAttempted s) => view with { SubmitAttempts = s.Attempt, PossibleDuplicate = view.PossibleDuplicate || s.PossibleDuplicate },
        (_, TaskSubmitRefused r) => view with { SubmitAttempts = r.Counted ? r.Attempt : r.Attempt - 1 },
        // A submit answered after the user cancelled: the provider task exists and is kept, the end stays.
        (_, TaskSubmitted s) when view.Status.IsTerminal() => view with { ProviderTaskId = s.ProviderTaskId, SubmittedAt = s.At },
        (_, TaskSubmitted s) => view with
        {
            Status = TaskLifecycle.Submitted, ProviderTaskId = s.ProviderTaskId, SubmitAttempts = s.SubmitAttempts, SubmittedAt = s.At,
        },
        (_, TaskProcessing) when view.Status == TaskLifecycle.Submitted => view with { Status = TaskLifecycle.Processing },
        (_, TaskSucceeded s) => Ended(view, TaskLifecycle.Succeeded, s.At, s.Polls) with { Results = s.Results },
        (_, TaskFailed f) => Ended(view, TaskLifecycle.Failed, f.At, f.Polls) with
        {
            Error = f.Error, SubmitAttempts = Math.Max(view.SubmitAttempts, f.SubmitAttempts),
        },
        (_, TaskTimedOut t) => Ended(view, TaskLifecycle.TimedOut, t.At, t.Polls) with { Error = TaskState.DeadlineExceeded },
        (_, TaskCancelled c) => Ended(view, TaskLifecycle.Cancelled, c.At, c.Polls),
        _ => view,
    };

    private static TaskView Ended(TaskView view, TaskLifecycle status, DateTimeOffset at, int polls) =>
        view with { Status = status, CompletedAt = at, Polls = Math.Max(view.Polls, polls), NextPollAt = null, WaitingFor = null };
}
