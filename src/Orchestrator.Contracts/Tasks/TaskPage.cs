namespace Orchestrator.Tasks;

/// <summary>A page of tasks, newest first (<c>GET /v1/tasks</c>).</summary>
/// <param name="Items">The tasks.</param>
/// <param name="NextAfter">Pass as <c>After</c> (<c>?after=</c>) for the next page; null on the last.</param>
public sealed record TaskPage(IReadOnlyList<TaskView> Items, string? NextAfter);
