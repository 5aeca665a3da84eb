using Orchestrator.Polling;
using Orchestrator.Providers;
using Orchestrator.Throttling;
using static Orchestrator.Tasks.Lifecycle.TaskEffect;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>When the next poll comes (the task's learned plan) and what a provider's callback changes.</summary>
internal static partial class TaskMachine
{
    private static TimeSpan NextPollDelay(TaskStep d, bool first) =>
        PollSchedule.Delay(d.Env.Plan(d.State.Request!), d.Env.PlanScale, d.Env.Now - (d.State.SubmittedAt ?? d.Env.Now), first);

    private static void SchedulePoll(TaskStep d, TimeSpan delay, bool publish = true)
    {
        // Tasks of a batch-polling account meet on shared slots, so that those due together are asked together.
        if (Caps(d).PollsInBatch) delay = PollSchedule.AlignToSlot(d.Env.Now, delay, d.Env.Limits.BatchSlot);
        d.State = d.State.WithNextPollAt(d.Env.Now + delay);
        StartProgressTimer(d, CallKind.Poll, delay);
        if (publish) d.Publish();
        OfferSleep(d, delay);
    }

    private static void StartProgressTimer(TaskStep d, CallKind kind, TimeSpan delay)
    {
        d.Memory = d.Memory with { Waiting = Waiting.Timer };
        d.Do(new StartProgressTimer(kind, delay));
    }

    /// <summary>
    /// A provider's callback is a fresh status. Running marks the task processing; an end triggers one verification
    /// query at once (the result URLs come from the query's answer), or right after the call already under way.
    /// Late (the task ended), foreign (another provider task) and repeated callbacks change nothing.
    /// </summary>
    private static void OnCallback(TaskStep d, ProviderTaskSnapshot snap)
    {
        var s = d.State;
        if (!s.Exists) { d.Do(new PassivateSelf()); return; }
        if (!d.Memory.Active || d.Memory.WaitingFor is not null) return;
        if (s.ProviderTaskId is { } known && known != snap.ProviderTaskId) return;
        if (snap.Status is not (ProviderTaskStatus.Succeeded or ProviderTaskStatus.Failed))
        {
            if (snap.Status == ProviderTaskStatus.Running && s.Status == TaskLifecycle.Submitted) { MarkProcessing(d); d.Publish(); }
            return;
        }
        if (d.Memory.Waiting == Waiting.Timer && s.ProviderTaskId is not null) VerifyNow(d);
        else d.Memory = d.Memory with { VerifyAfterCall = true };
    }

    /// <summary>
    /// The provider says the task runs. A task whose webhook receives every state journals it, so that the change reaches
    /// the webhook after a crash too; any other keeps it in memory and re-derives it from the provider after a restart.
    /// </summary>
    private static void MarkProcessing(TaskStep d)
    {
        if (d.State.Status != TaskLifecycle.Submitted) return;
        if (d.State.Request!.WebhookEveryState == true) d.Persist(new TaskProcessing(d.TaskId, d.Env.Now));
        else d.State = d.State.WithProcessing();
    }

    private static void VerifyNow(TaskStep d)
    {
        d.Memory = d.Memory with { VerifyAfterCall = false };
        d.Do(new CancelProgressTimer());
        d.State = d.State.WithNextPollAt(null);
        CallNow(d, CallKind.Poll);
    }
}
