using Orchestrator.Tasks;

namespace Orchestrator.Hosting;

/// <summary>
/// The answer to <c>GET /v1/admin/stuck</c>: the unfinished tasks that break the invariant "each unfinished task has
/// exactly one pending timer, permit request or provider call", so nothing would ever move them on.
/// </summary>
/// <param name="Checked">Tasks looked at: every live task actor, and every task asleep through a long wait (fine by construction: its wake-up is its timer).</param>
/// <param name="Stuck">The ones that break the invariant, or did not answer in time.</param>
public sealed record StuckTaskReport(int Checked, IReadOnlyList<StuckTask> Stuck);

/// <summary>One task that breaks the progress invariant.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Status">Its status, or null when its actor did not answer.</param>
/// <param name="TimerPending">A progress timer (a poll, a retry) is pending.</param>
/// <param name="AwaitingPermit">It waits for a permit from its account's throttle.</param>
/// <param name="CallInFlight">A provider call (or result download) is under way.</param>
/// <param name="Reason">Why it is listed: <c>nothing pending</c>, <c>more than one pending</c> or <c>no answer</c>.</param>
public sealed record StuckTask(string TaskId, TaskLifecycle? Status, bool TimerPending, bool AwaitingPermit, bool CallInFlight, string Reason);
