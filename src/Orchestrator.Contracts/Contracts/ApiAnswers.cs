namespace Orchestrator.Contracts;

/// <summary>An RFC 7807 problem, as the API answers errors: <see cref="Errors"/> maps each rejected field to its messages.</summary>
public sealed record Problem
{
    /// <summary>A URI naming the kind of problem.</summary>
    public string? Type { get; init; }
    /// <summary>A short summary, e.g. <c>Task not found</c>.</summary>
    public string? Title { get; init; }
    /// <summary>The HTTP status.</summary>
    public int? Status { get; init; }
    /// <summary>What happened in this case.</summary>
    public string? Detail { get; init; }
    /// <summary>For a 400: each rejected field (camelCase, as sent) and what is wrong with it.</summary>
    public Dictionary<string, string[]>? Errors { get; init; }
}

/// <summary>A list answer (<c>GET /v1/webhooks</c>, <c>GET /v1/webhooks/{id}/deliveries</c>).</summary>
/// <typeparam name="T">The listed record.</typeparam>
/// <param name="Items">Everything there is (these lists are short, so they are not paged).</param>
public sealed record ItemList<T>(IReadOnlyList<T> Items);

/// <summary>
/// The answer to <c>GET /healthz</c>: 200 with <see cref="Ready"/>, else 503 with <see cref="Starting"/>,
/// <see cref="Stopping"/> or <see cref="Degraded"/> and a <c>Reason</c>.
/// </summary>
/// <param name="Status"><c>ready</c>, <c>starting</c>, <c>stopping</c> or <c>degraded</c>.</param>
/// <param name="Reason">Why it is not ready, for <c>stopping</c> and <c>degraded</c>; null otherwise.</param>
public sealed record HealthStatus(string Status, string? Reason = null)
{
    /// <summary>Shutting down (SIGTERM): it accepts nothing new; send requests to another node or retry after its restart.</summary>
    public const string Stopping = "stopping";

    /// <summary>Running, but a part of it is down for now (e.g. the webhook registry restarting after a journal failure).</summary>
    public const string Degraded = "degraded";

    /// <summary>The journal has been read and interrupted tasks resumed.</summary>
    public const string Ready = "ready";

    /// <summary>Still reading the journal.</summary>
    public const string Starting = "starting";
}

/// <summary>The answer to a provider's callback (<c>POST /v1/callbacks/{provider}/{taskId}</c>) that was handed to its task.</summary>
/// <param name="Received">Always true: the callback reached the task (an unknown or ended task ignores it).</param>
public sealed record CallbackReceipt(bool Received)
{
    /// <summary>The one answer.</summary>
    public static readonly CallbackReceipt Accepted = new(true);
}
