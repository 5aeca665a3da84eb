using Akka.Actor;
using Akka.Hosting;
using Orchestrator.Throttling;

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

    /// <summary>Stops, leaving a wake with the shard region: it starts this task again wherever its shard lives next.</summary>
    private void WakeElsewhereAndStop()
    {
        ActorRegistry.For(Context.System).Get<TaskSupervisor>().Tell(new WakeTask(_taskId));
        Context.Stop(Self);
    }
}
