using System.Text.Json;
using Orchestrator.Contracts;
using Orchestrator.Events;
using Orchestrator.Tasks;

namespace Orchestrator.Webhooks;

/// <summary>
/// The body of a delivery: <c>{"type": "task.succeeded", "timestamp": "…", "data": {the task view}}</c>, in the API's JSON
/// (camelCase, enums in snake case). Built once per completion from its final view, so every attempt sends the same bytes.
/// </summary>
/// <param name="Type">The completion type, e.g. <c>task.succeeded</c>.</param>
/// <param name="Timestamp">When the task ended.</param>
/// <param name="Data">The task's final view.</param>
public sealed record WebhookPayload(string Type, DateTimeOffset Timestamp, TaskView Data)
{
    /// <summary>The HTTP API's JSON conventions.</summary>
    public static JsonSerializerOptions Json => WireJson.Options;

    /// <summary>The body for <paramref name="completion"/>; <c>timestamp</c> is when the task ended.</summary>
    public static string BodyFor(TaskCompletion completion) =>
        JsonSerializer.Serialize(new WebhookPayload(completion.Type, completion.Task.CompletedAt ?? completion.Task.CreatedAt, completion.Task), Json);
}
