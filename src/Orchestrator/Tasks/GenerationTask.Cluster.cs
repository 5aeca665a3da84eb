using Akka.Actor;
using Akka.Hosting;
using Orchestrator.Throttling;
using In = Orchestrator.Tasks.Lifecycle.TaskInput;

namespace Orchestrator.Tasks;

/// <summary>What a task does differently as a sharded entity (cluster mode).</summary>
internal sealed partial class GenerationTask
{
    /// <summary>Re-sent while no permit came: the throttle's node died or its shard moved, and our place in line with it.</summary>
    private sealed record ResendPermit(RequestPermit Request);

    private const string PermitWatchTimer = "permit-watch";
    // Longer than any queue this test bed builds at the limit, short next to a node's failure detection (seconds).
    internal static readonly TimeSpan PermitResendAfter = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A permit asked of a throttle on another node may be lost with that node. The request is repeated (marked, so a
    /// throttle that still has it queued ignores it) until one comes. A poll also re-declares the concurrency slots the
    /// task holds, so a throttle started afresh elsewhere counts them again within one poll.
    /// </summary>
    private void ClusterPermitRequest(RequestPermit ask, GenerationRequest request)
    {
        Timers.StartSingleTimer(PermitWatchTimer, new ResendPermit(ask with { Resent = true, Again = true }), PermitResendAfter);
        if (ask.Kind == CallKind.Poll && _memory.State.ProviderTaskId is not null && _env.SlotCost(request) is > 0 and var held)
            _rt.Throttles.Tell(new SlotsHeld(request.Provider, _taskId, held));
    }

    private void ResendPermitIfWaiting(RequestPermit request)
    {
        if (_memory.Waiting != Lifecycle.Waiting.Permit) return;
        _rt.Throttles.Tell(request);
        Timers.StartSingleTimer(PermitWatchTimer, new ResendPermit(request), PermitResendAfter);
    }

    /// <summary>Its wake-up row was written (or not) while the shard held its messages.</summary>
    private sealed record WakeUpWritten(Exception? Failure);

    /// <summary>Recovered under a shard: whether the message that started it carries a resume is not known yet.</summary>
    private sealed record RecoveredWithoutResume;

    /// <summary>
    /// A sharded task is started by a message, and the waker's <see cref="WakeTask"/> carries where a sleeping task's
    /// polling was. Recovery cannot see that message, so the task decides <c>Recovered</c> on its first message instead
    /// (the one that started it, stashed during recovery); a marker sent to itself at recovery comes after it, and
    /// bounds the wait when none came (a restart).
    /// </summary>
    private void RecoveredUnderShard()
    {
        _recoveryOwed = true;
        Self.Tell(new RecoveredWithoutResume());
    }

    private void DecideRecoveredWith(object firstMessage)
    {
        _recoveryOwed = false;
        Decide(new In.Recovered(firstMessage is WakeTask w ? w.Resume : null));
    }

    /// <summary>
    /// Falls asleep under a shard: a row in the shared database says when to wake it and where its polling was, and the
    /// cluster's <see cref="Cluster.TaskWaker"/> wakes it there, whichever node is up then. Written before the actor stops
    /// (the shard holds its messages until then); a row that cannot be written leaves no sleep to wake from, so it stops
    /// with a wake for the region instead, as a declined passivation does.
    /// </summary>
    private void FallAsleep(Lifecycle.TaskResume resume)
    {
        if (_rt.WakeUps is not { } table) { WakeElsewhereAndStop(); return; }
        table.SleepAsync(_taskId, resume, CancellationToken.None)
            .PipeTo(Self, success: () => new WakeUpWritten(null), failure: ex => new WakeUpWritten(ex));
    }

    private void OnWakeUpWritten(WakeUpWritten w)
    {
        if (w.Failure is null)
        {
            _asleep = true;
            Context.Stop(Self);
            return;
        }
        LogDecision(Microsoft.Extensions.Logging.LogLevel.Warning,
            $"Task {_taskId}: its wake-up could not be written ({w.Failure.GetType().Name}: {w.Failure.Message}); it stays awake");
        WakeElsewhereAndStop();
    }

    /// <summary>Stops, leaving a wake with the shard region: it starts this task again wherever its shard lives next.</summary>
    private void WakeElsewhereAndStop()
    {
        ActorRegistry.For(Context.System).Get<TaskSupervisor>().Tell(new WakeTask(_taskId));
        Context.Stop(Self);
    }
}
