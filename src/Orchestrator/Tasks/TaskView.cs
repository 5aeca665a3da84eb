namespace Orchestrator.Tasks;

/// <summary>A task as users see it (HTTP and embedding API). Camel-case JSON; <c>status</c> in snake case.</summary>
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

    /// <summary>Why an unfinished task is not progressing (e.g. its provider account is not configured), else null.</summary>
    public string? WaitingFor { get; init; }

    /// <summary>The view of a task's state.</summary>
    public static TaskView From(TaskState s)
    {
        var r = s.Request ?? throw new InvalidOperationException("A task view needs an accepted task.");
        return new TaskView(s.TaskId, r.Provider, r.Kind.WireName(), r.Model, s.Status, s.ProviderTaskId, s.Results, s.Error,
            s.SubmitAttempts, s.Polls, s.CreatedAt, s.SubmittedAt, s.CompletedAt, s.NextPollAt, r.Metadata, r.WebhookUrl)
        {
            BatchId = r.BatchId,
            BatchLine = r.BatchLine,
        };
    }
}
