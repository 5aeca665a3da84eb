namespace Orchestrator.Tasks;

/// <summary>A page of tasks, newest first (<c>GET /v1/tasks</c>).</summary>
/// <param name="Items">The tasks.</param>
/// <param name="NextAfter">Pass as <c>After</c> (<c>?after=</c>) for the next page; null on the last.</param>
public sealed record TaskPage(IReadOnlyList<TaskView> Items, string? NextAfter);

/// <summary>
/// Tasks accepted since <paramref name="Since"/> by status (<c>GET /v1/tasks/counts</c>), as the journal has them: an
/// unfinished task counts as <c>accepted</c> or <c>submitted</c> (submitting and processing are not journaled), and the
/// lines a batch still holds in its queue are counted by the batch (<c>GET /v1/batches/{id}</c>), not here.
/// </summary>
/// <param name="Since">The start of the window.</param>
/// <param name="Counts">Tasks by status (snake case), every status present.</param>
public sealed record TaskCounts(DateTimeOffset Since, IReadOnlyDictionary<string, int> Counts);
