namespace Orchestrator.Cli.Wire;

/// <summary>An RFC 7807 problem as the server answers errors; <see cref="Errors"/> maps fields to messages.</summary>
public sealed record Problem
{
    public string? Title { get; init; }
    public string? Detail { get; init; }
    public int? Status { get; init; }
    public Dictionary<string, string[]>? Errors { get; init; }
}

/// <summary>One event of <c>GET /v1/events</c>: a task that ended.</summary>
public sealed record TaskCompletion(string EventId, long Offset, string Type, TaskView Task);
