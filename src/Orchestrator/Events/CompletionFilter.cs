using Orchestrator.Tasks;

namespace Orchestrator.Events;

/// <summary>Which completions a subscriber wants; null fields match everything.</summary>
/// <param name="Statuses">Terminal statuses to include.</param>
/// <param name="Provider">Provider account name (case-insensitive).</param>
/// <param name="Tenant">The task's <c>metadata.tenant</c>.</param>
/// <param name="Batch">The batch the task came in.</param>
internal sealed record CompletionFilter(IReadOnlySet<TaskLifecycle>? Statuses = null, string? Provider = null, string? Tenant = null, string? Batch = null)
{
    /// <summary>Everything.</summary>
    public static readonly CompletionFilter All = new();

    /// <summary>Whether <paramref name="c"/> passes the filter.</summary>
    public bool Matches(TaskCompletion c) =>
        (Statuses is null || Statuses.Contains(c.Task.Status))
        && (Provider is null || string.Equals(c.Task.Provider, Provider, StringComparison.OrdinalIgnoreCase))
        && (Tenant is null || c.Task.Metadata?.GetValueOrDefault("tenant") == Tenant)
        && (Batch is null || c.Task.BatchId == Batch);
}
