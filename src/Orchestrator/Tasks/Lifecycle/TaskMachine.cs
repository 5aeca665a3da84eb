using Orchestrator.Providers;
using Orchestrator.Throttling;
using static Orchestrator.Tasks.Lifecycle.TaskEffect;
using In = Orchestrator.Tasks.Lifecycle.TaskInput;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>
/// The whole lifecycle of one generation task as one pure function: (memory, input) → (memory, effects). Every
/// decision the task actor carries out is taken here — accepting, permits, submits and their retries, polls and their
/// schedule, callbacks, cancel, deadline, result storing, quiet watching, passivation — so each transition and race is
/// a unit test without Akka, SQLite or HTTP. Provider answers are read by <see cref="TaskDecider"/>.
/// </summary>
internal static partial class TaskMachine
{
    public static TaskStep Decide(TaskMemory memory, TaskInput input, ITaskEnvironment env)
    {
        var d = new TaskStep(memory, env);
        switch (input)
        {
            case In.Recovered r: OnRecovered(d, r.Resume); break;
            case In.Accept a: OnAccept(d, a); break;
            case In.Get: OnGet(d); break;
            case In.Cancel: OnCancel(d); break;
            case In.Wake: if (!d.State.Exists) d.Do(new PassivateSelf()); break;
            case In.ProgressDue p: CallNow(d, p.Kind); break;
            case In.DeadlineDue: OnDeadline(d); break;
            case In.PermitGranted p: OnPermit(d, p); break;
            case In.SubmitAnswered s: OnSubmitAnswered(d, s.Outcome); break;
            case In.QueryAnswered q: OnQueryAnswered(d, q.Outcome, q.IsLookup); break;
            case In.BatchPollAnswered b:
                // The batch poller held the permit and reports the call finished itself.
                if (d.Memory.Waiting == Waiting.Call) { d.Memory = d.Memory with { PermitInUse = null }; OnQueryAnswered(d, b.Outcome, isLookup: false); }
                break;
            case In.CallbackReceived c: OnCallback(d, c.Snapshot); break;
            case In.ResultsStored r: OnResultsStored(d, r); break;
            case In.Idle: d.Do(new PassivateSelf()); break;
            case In.PassivateNow: OnPassivateNow(d); break;
            default: throw new ArgumentOutOfRangeException(nameof(input), input, "Unknown task input.");
        }
        return d;
    }

    private static void OnRecovered(TaskStep d, TaskResume? resume)
    {
        var s = d.State;
        if (!s.Exists) return;
        // An ended task read again after passivation: answer, then go again.
        if (s.IsTerminal) { d.Do(new IdleTimeout(d.Env.Limits.PassivateAfter)); return; }
        ArmDeadline(d);
        var account = s.Request!.Provider;
        if (d.Env.Capabilities(account) is not { } caps)
        {
            // Its account was removed or disabled: wait without spending anything; the deadline still ends it.
            d.Memory = d.Memory with { WaitingFor = $"account {account} is not configured" };
            d.Publish();
            d.Do(new Warn($"Task {s.TaskId}: account {account} is not configured; the task waits until it is (or its deadline passes)"));
            return;
        }
        if (s.ProviderTaskId is not null && d.Env.SlotCost(s.Request) is > 0 and var slots) d.Do(new HoldSlots(slots));
        if (s.ProviderTaskId is null)
        {
            // We may have crashed after the provider created the task but before journaling its id:
            // ask the provider by our external id before submitting again.
            d.Memory = d.Memory with { LookupBeforeSubmit = caps.TakesExternalId };
            if (s.UnconfirmedAttempt) d.Do(new Warn($"Task {s.TaskId}: a submit without external id may have reached the provider before a restart (possible duplicate)"));
            RequestPermit(d, CallKind.Submit);
        }
        else if (resume is not null) Resume(d, resume);
        else
        {
            // Spread the polls of many recovered tasks over the first interval instead of all at once.
            SchedulePoll(d, TimeSpan.FromSeconds(d.Env.Plan(s.Request).ElapsedAt(0) * d.Env.NextRandom()));
        }
    }

    private static void OnAccept(TaskStep d, In.Accept a)
    {
        var s = d.State;
        if (s.Exists)
        {
            var same = s.Request!.SameAs(a.Request);
            // Handed over again before its acceptance is journaled: the batch is answered once it is (AnswerBatch).
            if (same && d.Memory.UnwrittenAcceptance is not null) return;
            d.Do(new Reply(same ? new TaskAcceptedReply(d.View(), false) : new IdempotencyConflict(s.TaskId)));
            return;
        }
        var accepted = new TaskAccepted(d.TaskId, a.Request, d.Env.Now, a.CreatedBy);
        if (AcceptsWithSubmit(d, a))
        {
            // Written with the submit's event. An id handed over before may have reached the provider (the crash came
            // before that write): ask the provider by our external id first, as a restart does.
            d.State = d.State.Apply(accepted);
            d.Memory = d.Memory with { UnwrittenAcceptance = accepted, LookupBeforeSubmit = !a.FreshId };
            d.Publish();
        }
        else
        {
            d.Persist(accepted);
            d.Do(new Reply(new TaskAcceptedReply(d.View(), true)));
        }
        ArmDeadline(d);
        RequestPermit(d, CallKind.Submit);
    }

    /// <summary>
    /// A batch's line needs no acceptance write of its own before its submit: its request is in the batch's journal,
    /// and the batch hands it over again after a crash if the task's journal does not have it. Only where the first
    /// write is the submit's and quick to come: an account that takes our external id (a lookup finds an earlier submit;
    /// Chanjing's writes an attempt first anyway) and has no concurrency limit (a task may wait for a slot for long),
    /// and not a task whose webhook hears every state (its "accepted" is announced when written).
    /// </summary>
    private static bool AcceptsWithSubmit(TaskStep d, In.Accept a) =>
        a.DurableInBatch && a.Request.WebhookEveryState != true && d.Env.SlotCost(a.Request) == 0
        && d.Env.Capabilities(a.Request.Provider) is { TakesExternalId: true };

    private static void OnGet(TaskStep d)
    {
        if (!d.State.Exists) { NotFound(d); return; }
        d.Do(new Reply(d.View()));
    }

    private static void OnCancel(TaskStep d)
    {
        var s = d.State;
        if (!s.Exists) { NotFound(d); return; }
        if (s.IsTerminal) { d.Do(new Reply(new CancelReply(d.View(), false))); return; }
        End(d, new TaskCancelled(s.TaskId, s.Polls, d.Env.Now), reply: true);
    }

    private static void NotFound(TaskStep d)
    {
        d.Do(new Reply(new TaskNotFound(d.TaskId)));
        d.Do(new PassivateSelf());
    }

    private static void OnDeadline(TaskStep d)
    {
        // The provider finished in time when its results are being stored: that is not a timeout.
        if (d.State.IsTerminal || d.Memory.StoringResults || !d.State.Exists) return;
        End(d, new TaskTimedOut(d.State.TaskId, d.State.Polls, d.Env.Now));
    }

    private static void ArmDeadline(TaskStep d)
    {
        var left = d.State.CreatedAt + d.Env.Deadline(d.State.Request!) - d.Env.Now;
        d.Do(new StartDeadline(left > TimeSpan.Zero ? left : TimeSpan.Zero));
    }
}
