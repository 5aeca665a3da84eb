namespace Orchestrator.Tasks;

/// <summary>A page of tasks, newest first. <c>After</c> is the last id of the previous page.</summary>
public sealed record ListTasks(TaskLifecycle? Status, string? Provider, int Limit, string? After);

public sealed record TaskPage(IReadOnlyList<TaskView> Items, string? NextAfter);

/// <summary>Answered with the task's view once it has ended (at once if it already has), or <see cref="TaskNotFound"/>.</summary>
public sealed record AwaitTaskEnd(string TaskId);
