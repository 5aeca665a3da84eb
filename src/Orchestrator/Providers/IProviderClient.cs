using Orchestrator.Tasks;

namespace Orchestrator.Providers;

/// <summary>
/// One provider account's wire protocol. Implementations never throw for provider or network faults:
/// every outcome, including timeouts and malformed bodies, comes back as a value the task actor can decide on.
/// </summary>
internal interface IProviderClient
{
    /// <summary>How this provider takes tasks and is polled (external ids, batch queries).</summary>
    ProviderCapabilities Capabilities { get; }

    Task<SubmitOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken ct);

    /// <summary>Queries one task by the provider's id, or (when <paramref name="providerTaskId"/> is null) by our external id.</summary>
    Task<QueryOutcome> QueryAsync(GenerationKind kind, string? providerTaskId, string externalTaskId, CancellationToken ct);
}

/// <summary>What is sent: our task id doubles as the provider's <c>external_task_id</c>.</summary>
internal sealed record ProviderSubmission(string TaskId, GenerationRequest Request, string? CallbackUrl);

/// <summary>How a provider describes a task's progress, mapped from its own status words.</summary>
internal enum ProviderTaskStatus { Queued, Running, Succeeded, Failed }

internal sealed record ProviderTaskSnapshot(
    string ProviderTaskId,
    ProviderTaskStatus Status,
    IReadOnlyList<TaskResult> Results,
    string? FailureMessage,
    DateTimeOffset? UpdatedAt);

/// <summary>
/// A provider or transport error. <c>Code</c> is the provider's own code (e.g. <c>1302</c>, <c>40001</c>) or
/// a transport code (<c>http_503</c>, <c>timeout</c>, <c>connection</c>, <c>malformed_response</c>).
/// </summary>
internal sealed record ProviderError(string Code, string Message, bool Retryable, bool IsRateLimit = false, TimeSpan? RetryAfter = null, bool IsNotFound = false)
{
    public TaskError ToTaskError() => new(Code, Message, Retryable);
}

internal abstract record SubmitOutcome
{
    internal sealed record Accepted(string ProviderTaskId) : SubmitOutcome;
    internal sealed record Rejected(ProviderError Error) : SubmitOutcome;
}

internal abstract record QueryOutcome
{
    internal sealed record Found(ProviderTaskSnapshot Snapshot) : QueryOutcome;
    internal sealed record Error(ProviderError Failure) : QueryOutcome;
}
