namespace Orchestrator.Tasks;

/// <summary>A task as users see it (HTTP and embedding API). Camel-case JSON; <c>status</c> in snake case.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Provider">The provider account it runs on.</param>
/// <param name="Kind"><c>text-to-image</c>, <c>text-to-video</c> or <c>image-to-video</c>.</param>
/// <param name="Model">The provider's model.</param>
/// <param name="Status">Where it is in its lifecycle.</param>
/// <param name="ProviderTaskId">The provider's id for it, once submitted.</param>
/// <param name="Results">Its result files, once succeeded.</param>
/// <param name="Error">Why it failed, or null.</param>
/// <param name="SubmitAttempts">Submit calls made.</param>
/// <param name="Polls">Status queries made.</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="SubmittedAt">When the provider accepted it.</param>
/// <param name="CompletedAt">When it ended.</param>
/// <param name="NextPollAt">When its status is queried next, while it runs.</param>
/// <param name="Metadata">The caller's labels.</param>
/// <param name="WebhookUrl">Where its completion is delivered as a webhook, if anywhere.</param>
public sealed record TaskView(
    string Id,
    string Provider,
    string Kind,
    string Model,
    TaskLifecycle Status,
    string? ProviderTaskId,
    IReadOnlyList<TaskResult> Results,
    TaskError? Error,
    int SubmitAttempts,
    int Polls,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? NextPollAt,
    IReadOnlyDictionary<string, string>? Metadata,
    string? WebhookUrl = null)
{
    /// <summary>The batch the task came in, if any.</summary>
    public string? BatchId { get; init; }

    /// <summary>Its line in the batch upload (1-based), if it came in a batch.</summary>
    public int? BatchLine { get; init; }

    /// <summary>
    /// True when the task was submitted again while an earlier submit may already have reached the provider (its answer was
    /// lost to a crash, a timeout or a broken connection) and the provider takes no external id to check (Chanjing): it may
    /// run there twice. Providers with external ids are asked first, so their tasks are never marked.
    /// </summary>
    public bool PossibleDuplicate { get; init; }

    /// <summary>Why an unfinished task is not progressing (e.g. its provider account is not configured), else null.</summary>
    public string? WaitingFor { get; init; }

    /// <summary>The task this one runs again (<c>POST /v1/batches/{id}/retry</c>), or null.</summary>
    public string? RetryOf { get; init; }
}
