namespace Orchestrator.Tasks;

/// <summary>
/// Our copy of a task's result file is at <c>/v1/tasks/{id}/results/{index}</c> (absolute when <c>PublicBaseUrl</c> is
/// set). Without a public base URL that address says nothing the task id and index do not, so the journal and the read
/// model store a result without it, and a read puts it back. Only a result with a stored copy (its SHA-256 is known:
/// both are set together) ever had one, so a result read without it gets it back only when its SHA-256 is there.
/// </summary>
internal static class StoredResults
{
    /// <summary>Our relative URL of the stored copy of result <paramref name="index"/> of task <paramref name="taskId"/>.</summary>
    public static string RelativeUrl(string taskId, int index) => $"/v1/tasks/{taskId}/results/{index}";

    /// <summary>The results as stored: without a stored URL a read derives again.</summary>
    public static IReadOnlyList<TaskResult> Compact(string taskId, IReadOnlyList<TaskResult> results) =>
        results.Any(r => Derivable(taskId, r)) ? [.. results.Select(r => Derivable(taskId, r) ? r with { StoredUrl = null } : r)] : results;

    /// <summary>The results as read: each stored copy's URL put back where it was left out.</summary>
    public static IReadOnlyList<TaskResult> Expand(string taskId, IReadOnlyList<TaskResult> results) =>
        results.Any(LeftOut) ? [.. results.Select(r => LeftOut(r) ? r with { StoredUrl = RelativeUrl(taskId, r.Index) } : r)] : results;

    private static bool Derivable(string taskId, TaskResult r) => r.Sha256 is not null && r.StoredUrl == RelativeUrl(taskId, r.Index);

    private static bool LeftOut(TaskResult r) => r.Sha256 is not null && r.StoredUrl is null;
}
