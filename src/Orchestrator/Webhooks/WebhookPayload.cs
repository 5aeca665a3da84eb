using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Events;
using Orchestrator.Tasks;

namespace Orchestrator.Webhooks;

/// <summary>
/// The body of a delivery: <c>{"type": "task.succeeded", "timestamp": "…", "data": {the task view}}</c>, in the API's JSON
/// (camelCase, enums in snake case). Built once per completion from its final view, so every attempt sends the same bytes.
/// </summary>
public sealed record WebhookPayload(string Type, DateTimeOffset Timestamp, TaskView Data)
{
    /// <summary>The HTTP API's JSON conventions (the server's <c>ApiJson</c> is the same; the library cannot reference it).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The body for <paramref name="completion"/>; <c>timestamp</c> is when the task ended.</summary>
    public static string BodyFor(TaskCompletion completion) =>
        JsonSerializer.Serialize(new WebhookPayload(completion.Type, completion.Task.CompletedAt ?? completion.Task.CreatedAt, completion.Task), Json);
}
