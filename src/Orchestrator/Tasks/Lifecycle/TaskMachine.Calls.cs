using Orchestrator.Polling;
using Orchestrator.Providers;
using Orchestrator.Throttling;
using static Orchestrator.Tasks.Lifecycle.TaskEffect;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>Provider calls: permits, submits and their retries, polls and lookups, and the answers they bring.</summary>
internal static partial class TaskMachine
{
    private static ProviderCapabilities Caps(TaskStep d) =>
        d.Env.Capabilities(d.State.Request!.Provider) ?? ProviderCapabilities.Unconfigured;

    private static void RequestPermit(TaskStep d, CallKind kind, bool again = false)
    {
        if (!d.Memory.Active) return;
        d.Memory = d.Memory with { Waiting = Waiting.Permit };
        d.Do(new TaskEffect.RequestPermit(kind, kind == CallKind.Submit ? d.Env.SlotCost(d.State.Request!) : 0, again));
    }

    private static void CallNow(TaskStep d, CallKind kind)
    {
        if (kind == CallKind.Poll && Caps(d).PollsInBatch && d.State.ProviderTaskId is { } pid)
        {
            if (!d.Memory.Active) return;
            d.Memory = d.Memory with { Waiting = Waiting.Call };
            d.State = d.State.WithPolled();
            d.Do(new PollInBatch(pid));
        }
        else RequestPermit(d, kind);
    }

    private static void OnPermit(TaskStep d, TaskInput.PermitGranted permit)
    {
        if (!d.Memory.Active || d.Memory.Waiting != Waiting.Permit)
        {
            // Not needed any more (cancelled while waiting): give back the call and any slots it reserved.
            d.Do(new FinishCall(permit.PermitId, Used: false));
            if (permit.Kind == CallKind.Submit && d.State.ProviderTaskId is null) d.Do(new ReleaseSlots());
            return;
        }
        if (d.Env.Now > permit.UseBy)
        {
            // Too late to use: spending it now could crowd two calls into one provider second. Ask again, keeping our place.
            d.Do(new PermitExpired());
            d.Do(new FinishCall(permit.PermitId, Used: false));
            RequestPermit(d, permit.Kind, again: true);
            return;
        }
        d.Memory = d.Memory with { Waiting = Waiting.Call, PermitInUse = permit.PermitId };
        if (permit.Kind == CallKind.Poll || d.Memory.LookupBeforeSubmit)
        {
            var isLookup = permit.Kind == CallKind.Submit;
            if (!isLookup) d.State = d.State.WithPolled();
            d.Do(new Query(isLookup, permit.UseBy));
            return;
        }
        var attempt = d.State.SubmitAttempts + 1;
        // Without an external id a submit that reaches the provider cannot be found again: record the attempt first, and
        // whether an earlier one may have reached it already (then the provider may get this task twice: marked, never silent).
        if (!Caps(d).TakesExternalId) d.Persist(new TaskSubmitAttempted(d.TaskId, attempt, d.Env.Now, PossibleDuplicate: d.State.UnconfirmedAttempt));
        d.State = d.State.WithSubmitting(attempt);
        d.Publish();
        d.Do(new Submit(attempt, permit.UseBy));
    }

    private static void CallOver(TaskStep d)
    {
        if (d.Memory.PermitInUse is { } id) d.Do(new FinishCall(id));
        d.Memory = d.Memory with { Waiting = Waiting.Nothing, PermitInUse = null };
    }

    private static void OnSubmitAnswered(TaskStep d, SubmitOutcome outcome)
    {
        CallOver(d);
        if (outcome is SubmitOutcome.Rejected) d.Do(new ReleaseSlots()); // nothing runs at the provider; a retry reserves again
        if (d.State.IsTerminal)
        {
            // Cancelled while the submit was on its way: keep the provider's id and watch that task quietly.
            if (outcome is SubmitOutcome.Accepted a)
            {
                d.Persist(new TaskSubmitted(d.TaskId, a.ProviderTaskId, d.State.SubmitAttempts, d.Env.Now));
                WatchQuietly(d);
            }
            else StopWatching(d);
            return;
        }
        Carry(d, TaskDecider.OnSubmit(d.State, outcome, d.Env.Limits.MaxSubmitAttempts, d.Env.Now));
    }

    private static void OnQueryAnswered(TaskStep d, QueryOutcome outcome, bool isLookup)
    {
        CallOver(d);
        if (!isLookup) d.State = outcome switch
        {
            QueryOutcome.Found => d.State.WithTaskFound(),
            QueryOutcome.Error { Failure.IsNotFound: true } => d.State.WithNotFoundAnswer(d.Env.Now),
            _ => d.State,
        };
        var notFound = outcome is QueryOutcome.Error { Failure.IsNotFound: true } && !isLookup;
        // "Not found" for a task whose id we hold may be a provider catching up after the submit: it ends only at the bound.
        var providerEnded = notFound ? d.State.NotFoundAnswers >= d.Env.Limits.MaxNotFoundAnswers : TaskDecider.ProviderEnded(outcome);
        if (providerEnded) d.Do(new ReleaseSlots());
        if (d.State.IsTerminal)
        {
            if (d.Memory.WatchQuietlyUntil is { } until && !providerEnded && d.Env.Now < until) SchedulePoll(d, d.Env.Limits.QuietInterval, publish: false);
            else StopWatching(d);
            return;
        }
        if (outcome is QueryOutcome.Error { Failure.IsRateLimit: true } rl) d.Do(new ReportRateLimit(rl.Failure.RetryAfter));
        if (!isLookup && providerEnded && outcome is QueryOutcome.Found f) Learn(d, f.Snapshot);
        // A lookup's "not found" is an answer (the submit never arrived), not a failure: it ends the streak that backs off
        // the next submit. A poll's "not found" stays counted, and bounded on its own (MaxNotFoundAnswers).
        // A query never sent (its permit ran out first) is no failure of the provider's either.
        var failed = outcome is QueryOutcome.Error { Failure.Code: not ProviderHttp.NotSent } && !(isLookup && outcome is QueryOutcome.Error { Failure.IsNotFound: true });
        d.Memory = d.Memory with { ConsecutiveFailures = failed ? d.Memory.ConsecutiveFailures + 1 : 0 };
        var limits = d.Env.Limits;
        Carry(d, isLookup
            ? TaskDecider.OnLookup(d.State, outcome, d.Memory.ConsecutiveFailures, limits.MaxConsecutiveFailures, d.Env.Now)
            : TaskDecider.OnPoll(d.State, outcome, d.Memory.ConsecutiveFailures, limits.MaxConsecutiveFailures, limits.MaxNotFoundAnswers, d.Env.Now));
    }

    /// <summary>Carries out what <see cref="TaskDecider"/> read from a provider's answer.</summary>
    private static void Carry(TaskStep d, TaskDecision decision)
    {
        switch (decision)
        {
            case TaskDecision.Persist { Event: TaskSubmitted submitted }:
                d.Memory = d.Memory with { LookupBeforeSubmit = false };
                d.Persist(submitted);
                if (d.Memory.VerifyAfterCall) VerifyNow(d); // a callback already said it ended
                else SchedulePoll(d, NextPollDelay(d, first: true));
                break;
            case TaskDecision.Persist { Event: TaskSucceeded { Results.Count: > 0 } succeeded } when d.Env.Limits.StoresResults:
                d.Memory = d.Memory with { Waiting = Waiting.Call, StoringResults = true };
                d.Do(new StoreResults(succeeded));
                break;
            case TaskDecision.Persist p:
                End(d, p.Event);
                break;
            case TaskDecision.PollLater later:
                var before = d.State.Status;
                if (later.Running) MarkProcessing(d);
                if (d.Memory.VerifyAfterCall) { VerifyNow(d); if (before != d.State.Status) d.Publish(); }
                else SchedulePoll(d, NextPollDelay(d, first: false), publish: before != d.State.Status);
                break;
            case TaskDecision.RetrySubmit retry:
                RetrySubmit(d, retry);
                break;
            case TaskDecision.SubmitNow:
                d.Memory = d.Memory with { LookupBeforeSubmit = false };
                RequestPermit(d, CallKind.Submit);
                break;
        }
    }

    private static void RetrySubmit(TaskStep d, TaskDecision.RetrySubmit retry)
    {
        if (retry.Error.IsRateLimit) d.Do(new ReportRateLimit(retry.Error.RetryAfter));
        // The submit must wait: its batch should not wait for the acceptance with it (nor hand the task over again).
        d.WriteAcceptance();
        var wasSubmitting = d.State.Status == TaskLifecycle.Submitting;
        // Without an external id the attempt was journaled as possibly reaching the provider: say durably that it did not.
        if (wasSubmitting && !Caps(d).TakesExternalId && !TaskDecider.MayHaveBeenCreated(retry.Error))
            d.Persist(new TaskSubmitRefused(d.TaskId, d.State.SubmitAttempts, retry.CountsAsAttempt, d.Env.Now));
        else if (wasSubmitting && !retry.CountsAsAttempt) d.State = d.State.WithAttemptNotCounted();
        d.State = d.State.WithBackToAccepted();
        d.Memory = d.Memory with { LookupBeforeSubmit = retry.LookupFirst && Caps(d).TakesExternalId };
        // Failed lookups do not count as attempts, but they back off like them: a provider down for minutes would
        // otherwise use up the failure bound at the first attempt's delay (20 lookups in about 20 s).
        var step = Math.Max(1, Math.Max(d.State.SubmitAttempts, d.Memory.ConsecutiveFailures));
        var delay = retry.Error.RetryAfter
            ?? PollSchedule.SubmitRetryDelay(d.Env.Limits.SubmitRetryBaseSeconds, step, d.Env.NextRandom());
        d.Do(new Inform($"Task {d.TaskId}: submit not accepted ({retry.Error.Code}: {retry.Error.Message}), retrying in {delay.TotalSeconds:0.0}s"));
        StartProgressTimer(d, CallKind.Submit, delay);
        d.Publish();
    }

    /// <summary>
    /// The provider says its task ended: its duration teaches the schedule, our delay in noticing is the account's figure.
    /// An end the provider dates before our submit was recorded (a task done at once, or the provider's clock behind
    /// ours) counts as a duration of zero. It was taken as unknown, and the duration learned was then our own wait until
    /// this poll: the schedule learned from itself and grew with every task (a zero-time provider's tasks waited 40 s each
    /// after 120,000 of them, 2,000 in flight at 64 tasks/s with the CPU idle).
    /// </summary>
    private static void Learn(TaskStep d, ProviderTaskSnapshot snap)
    {
        if (d.State.SubmittedAt is not { } submitted) return;
        var now = d.Env.Now;
        var providerEnd = snap.UpdatedAt is { } u && u <= now ? (u < submitted ? submitted : u) : (DateTimeOffset?)null;
        d.Do(new Learn(((providerEnd ?? now) - submitted).TotalSeconds, d.State.Polls, providerEnd is { } e ? now - e : null));
    }
}
