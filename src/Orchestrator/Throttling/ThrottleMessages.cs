namespace Orchestrator.Throttling;

/// <summary>What a permit is spent on. Polls come first: they free capacity, submits add load.</summary>
internal enum CallKind
{
    Submit,
    Poll,
    /// <summary>A credential refresh (Chanjing token): served with polls, ahead of submits, since every call waits on it.</summary>
    Token,
}

/// <summary>
/// Asks the account's throttle for one provider call. Answered with <see cref="PermitGranted"/> to the sender.
/// A submit also reserves <c>Slots</c> of the account's concurrency (Kling counts a task from submitted until it
/// ends; an image task with n results may hold n), released by <see cref="SlotsReleased"/>.
/// <c>Again</c>: a permit granted for this call expired before it could be used; the call keeps its place in line.
/// <c>Resent</c> (cluster mode): no permit came for a while, so the request may have been lost with another node;
/// a throttle that has it queued still ignores it.
/// </summary>
internal sealed record RequestPermit(string Account, string TaskId, CallKind Kind, string? Tenant = null, int Slots = 0, bool Again = false, bool Resent = false);

/// <summary>The provider task ended (or was never created): its concurrency slots are free again.</summary>
internal sealed record SlotsReleased(string Account, string TaskId);

/// <summary>After a restart, a task whose provider task is still running re-declares the slots it holds.</summary>
internal sealed record SlotsHeld(string Account, string TaskId, int Slots);

/// <summary>Would a new task for this account find room in its submit queue? Answered with <see cref="QueueRoom"/>.</summary>
internal sealed record AskQueueRoom(string Account);

internal sealed record QueueRoom(bool HasRoom, int Queued, int Limit, TimeSpan RetryAfter);

/// <summary>
/// A permit, valid until <c>UseBy</c> on the orchestrator's clock (its <see cref="TimeProvider"/>). A permit that reaches its task late must not be used: calls delayed on
/// our side would crowd into one provider second. The task asks again instead.
/// </summary>
internal sealed record PermitGranted(string TaskId, CallKind Kind, long PermitId, DateTimeOffset UseBy);

/// <summary>
/// The call made with a permit has ended (or the permit was not used). Until then the throttle counts the call as
/// arriving at the provider now, so a call delayed on our side cannot crowd into one provider second with later ones.
/// <c>Used</c> false: the permit is certain never to have been spent (it came too late, or its task no longer needed
/// it), so nothing arrived and its place in the rolling window is given back.
/// </summary>
internal sealed record CallFinished(string Account, long PermitId, bool Used = true);

/// <summary>Tells the throttle that the provider still answered a rate or concurrency limit.</summary>
internal sealed record RateLimitAnswered(string Account, TimeSpan? RetryAfter);

internal sealed record GetThrottleStats(string Account);

internal sealed record GetAllThrottleStats;

/// <summary>
/// The task actor that sent this stopped while its requests waited in line: they are taken out (only the sender's,
/// so a later incarnation's request stays). Its new incarnation asks again.
/// </summary>
internal sealed record PermitRequestsWithdrawn(string Account, string TaskId);

/// <summary>
/// Cluster mode: the node at <c>Node</c> left the cluster (it was downed, or left), and every task actor on it with it.
/// The throttle drops their queued requests and counts their calls in flight as arrived.
/// </summary>
internal sealed record RequestersGone(Akka.Actor.Address Node);
