using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Tasks;

/// <summary>Task ids: 32 lowercase hex characters, also used as the provider's <c>external_task_id</c>.</summary>
internal static class TaskIds
{
    /// <summary>A new time-ordered id (UUIDv7).</summary>
    public static string New() => Guid.CreateVersion7().ToString("N");

    /// <summary>
    /// The id for an idempotency key: derived, so the same key always reaches the same task actor and no
    /// central index is needed (the actor itself answers "already exists").
    /// </summary>
    public static string ForIdempotencyKey(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("idempotency:" + key));
        return Convert.ToHexStringLower(hash, 0, 16);
    }

    public static bool IsWellFormed(string? id) =>
        id is { Length: 32 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private const string PersistencePrefix = "task-";

    public static string PersistenceId(string taskId) => PersistencePrefix + taskId;

    public static string FromPersistenceId(string persistenceId) => persistenceId[PersistencePrefix.Length..];
}
