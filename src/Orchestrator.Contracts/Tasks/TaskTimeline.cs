namespace Orchestrator.Tasks;

/// <summary>
/// What happened to a task, in order (<c>GET /v1/tasks/{id}/timeline</c>). Acceptance, submission and the end come from
/// the journal and are always there; submitting, each poll, processing and callbacks are seen by this server while the
/// task runs here and kept in memory for recent tasks only (polls cost no journal write), so after a restart, or on
/// another node, they may be missing: <see cref="UnobservedPolls"/> counts the polls not listed.
/// </summary>
/// <param name="TaskId">The task.</param>
/// <param name="Entries">Its moments, oldest first.</param>
/// <param name="UnobservedPolls">Polls the task made that this server did not see (before a restart, or elsewhere).</param>
public sealed record TaskTimeline(string TaskId, IReadOnlyList<TimelineEntry> Entries, int UnobservedPolls);

/// <summary>One moment of a task.</summary>
/// <param name="At">When.</param>
/// <param name="Event">
/// <c>accepted</c>, <c>submitting</c>, <c>submitted</c>, <c>poll</c>, <c>processing</c>, <c>callback</c>, or the end:
/// <c>succeeded</c>, <c>failed</c>, <c>timed_out</c>, <c>cancelled</c>.
/// </param>
/// <param name="Detail">More about it (a poll's number, the error of a failure), or null.</param>
public sealed record TimelineEntry(DateTimeOffset At, string Event, string? Detail = null);
