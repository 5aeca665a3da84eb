using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>
/// Batch ids are UUIDv7 hex like task ids. A batch task's id is the batch id's first 20 hex characters followed by
/// its line number in 12 hex digits: derived, so releasing a line twice (after a crash) reaches the same task actor,
/// and a task still queued in its batch can be found from its id alone.
/// </summary>
internal static class BatchIds
{
    public const int PrefixLength = 20;

    public static string New() => TaskIds.New();

    /// <summary>
    /// The id of the batch an upload with this (tenant-scoped) idempotency key makes: derived, so an upload sent again to
    /// any node, or after a restart, reaches the same batch without an index of keys.
    /// </summary>
    public static string ForIdempotencyKey(string key) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("batch-idempotency:" + key)), 0, 16);

    public static bool IsWellFormed(string? id) => TaskIds.IsWellFormed(id);

    public static string Prefix(string batchId) => batchId[..PrefixLength];

    public static string TaskId(string batchId, int line) => Prefix(batchId) + line.ToString("x12");

    /// <summary>The batch prefix and line a task id would have if it came from a batch (any well-formed id parses).</summary>
    public static (string Prefix, int Line)? Parse(string taskId)
    {
        if (!TaskIds.IsWellFormed(taskId)) return null;
        var line = Convert.ToInt64(taskId[PrefixLength..], 16);
        return line is > 0 and <= int.MaxValue ? (taskId[..PrefixLength], (int)line) : null;
    }

    public static string PersistenceId(string batchId) => "batch-" + batchId;
}
