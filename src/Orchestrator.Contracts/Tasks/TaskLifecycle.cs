namespace Orchestrator.Tasks;

/// <summary>The orchestrator's own lifecycle of a generation task.</summary>
public enum TaskLifecycle
{
    /// <summary>Durably accepted, waiting for a permit to submit.</summary>
    Accepted,
    /// <summary>The submit call to the provider is under way.</summary>
    Submitting,
    /// <summary>The provider returned its task id; not yet reported running.</summary>
    Submitted,
    /// <summary>The provider reports the task running.</summary>
    Processing,
    /// <summary>Ended with results.</summary>
    Succeeded,
    /// <summary>Ended with an error (see the task's error).</summary>
    Failed,
    /// <summary>Its deadline passed before the provider finished.</summary>
    TimedOut,
    /// <summary>Cancelled by the user.</summary>
    Cancelled,
}

/// <summary>What a status means.</summary>
public static class TaskLifecycleExtensions
{
    /// <summary>Whether the task has ended: succeeded, failed, timed out or cancelled.</summary>
    public static bool IsTerminal(this TaskLifecycle s) =>
        s is TaskLifecycle.Succeeded or TaskLifecycle.Failed or TaskLifecycle.TimedOut or TaskLifecycle.Cancelled;

    /// <summary>The status as the API spells it (snake case: <c>timed_out</c>).</summary>
    public static string WireName(this TaskLifecycle s) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString());
}

/// <summary>
/// One result file of a finished task: the provider's URL (it expires, 30 days for Kling) and, once re-hosted, ours
/// (<c>/v1/tasks/{id}/results/{index}</c>, absolute when <c>PublicBaseUrl</c> is set) with the file's SHA-256 and size.
/// </summary>
/// <param name="Index">Its position among the task's results, from 0.</param>
/// <param name="Url">The provider's URL.</param>
/// <param name="Kind"><c>image</c> or <c>video</c>.</param>
/// <param name="StoredUrl">Our stored copy, once re-hosted.</param>
/// <param name="Sha256">The stored copy's SHA-256, lower-case hex.</param>
/// <param name="Bytes">The stored copy's size.</param>
/// <param name="ContentType">The stored copy's media type.</param>
public sealed record TaskResult(int Index, string Url, string Kind, string? StoredUrl = null, string? Sha256 = null, long? Bytes = null, string? ContentType = null);

/// <summary>Why a task failed, as the provider said it (code and message kept verbatim).</summary>
/// <param name="Code">The provider's (or our) error code.</param>
/// <param name="Message">The provider's (or our) message.</param>
/// <param name="Retryable">Whether submitting the same request again may succeed.</param>
public sealed record TaskError(string Code, string Message, bool Retryable);
