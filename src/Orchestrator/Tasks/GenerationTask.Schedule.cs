using Akka.Actor;
using Orchestrator.Polling;
using Orchestrator.Providers;
using Orchestrator.Throttling;

namespace Orchestrator.Tasks;

/// <summary>The task's polls: when the next comes (its learned plan), provider callbacks, and the deadline.</summary>
public sealed partial class GenerationTask
{
    private void CallNow(CallKind kind)
    {
        if (kind == CallKind.Poll && Client is IBatchQueryClient && _state.ProviderTaskId is { } pid) PollInBatch(pid);
        else RequestPermit(kind);
    }

    /// <summary>
    /// A provider's callback is a fresh status. Running marks the task processing; an end triggers one verification
    /// query at once (the result URLs come from the query's answer), or right after the call already under way.
    /// Late (the task ended), foreign (another provider task) and repeated callbacks change nothing.
    /// </summary>
    private void OnCallback(ProviderCallback cb)
    {
        if (!_state.Exists) { Passivate(); return; }
        if (_state.IsTerminal && !_watchingQuietly) return;
        if (_state.ProviderTaskId is { } known && known != cb.Snapshot.ProviderTaskId) return;
        var ended = cb.Snapshot.Status is ProviderTaskStatus.Succeeded or ProviderTaskStatus.Failed;
        if (!ended)
        {
            if (cb.Snapshot.Status == ProviderTaskStatus.Running && _state.Status == TaskLifecycle.Submitted) { _state = _state.WithProcessing(); Publish(); }
            return;
        }
        if (_waiting == Waiting.Timer && _state.ProviderTaskId is not null) VerifyNow();
        else _verifyAfterCall = true;
    }

    private void VerifyNow()
    {
        _verifyAfterCall = false;
        Timers.Cancel(ProgressTimer);
        _state = _state.WithNextPollAt(null);
        CallNow(CallKind.Poll);
    }

    private PollPlan Plan => _plan ??= _rt.Callbacks.Enabled ? _rt.Learning.SafetyNetFor(_state.Request!) : _rt.Learning.PlanFor(_state.Request!);

    private TimeSpan NextPollDelay(bool first) =>
        PollSchedule.Delay(Plan, _scale, _rt.Now - (_state.SubmittedAt ?? _rt.Now), first);

    /// <summary>The provider says its task ended: its duration teaches the schedule, our delay in noticing is the account's figure.</summary>
    private void Learn(ProviderTaskSnapshot snap)
    {
        if (_state.IsTerminal || _state.SubmittedAt is not { } submitted) return;
        var now = _rt.Now;
        var providerEnd = snap.UpdatedAt is { } u && u >= submitted && u <= now ? u : (DateTimeOffset?)null;
        _rt.Learning.RecordDuration(_state.Request!, ((providerEnd ?? now) - submitted).TotalSeconds);
        _rt.Learning.RecordFinished(_state.Request!.Provider, _state.Polls, providerEnd is { } e ? now - e : null);
    }

    /// <summary>Providers with a page query: the account's batch poller asks for many tasks with one permit.</summary>
    private void PollInBatch(string providerTaskId)
    {
        if (_state.IsTerminal && !_watchingQuietly) return;
        _waiting = Waiting.Call;
        _state = _state.WithPolled();
        _rt.Throttles.Tell(new BatchPoll(_state.Request!.Provider, _taskId, providerTaskId));
    }

    private void SchedulePoll(TimeSpan delay, bool publish = true)
    {
        // Tasks of a batch-polling account meet on shared slots, so that those due together are asked together.
        if (Client is IBatchQueryClient) delay = PollSchedule.AlignToSlot(_rt.Now, delay, TimeSpan.FromSeconds(_rt.Options.Polling.BatchSlotSeconds));
        _state = _state.WithNextPollAt(_rt.Now + delay);
        StartTimer(new ProgressDue(CallKind.Poll), delay);
        if (publish) Publish();
    }

    private void StartTimer(ProgressDue due, TimeSpan delay)
    {
        _waiting = Waiting.Timer;
        Timers.StartSingleTimer(ProgressTimer, due, delay);
    }

    private void ArmDeadline()
    {
        var left = _state.CreatedAt + _rt.DeadlineFor(_state.Request!) - _rt.Now;
        Timers.StartSingleTimer(DeadlineTimer, new DeadlineDue(), left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }
}
