using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Orchestrator.Server.Api;

/// <summary>An example body for every operation that takes one, by method and route.</summary>
internal static class RequestExamples
{
    private const string Task = """
        {"provider":"simulator","kind":"text-to-image","model":"kling-v1-5","prompt":"a red fox in fresh snow, morning light",
         "aspectRatio":"16:9","idempotencyKey":"fox-0001","metadata":{"campaign":"winter"},"webhookUrl":"https://example.com/hooks/orchestrator"}
        """;

    private static readonly Dictionary<string, Dictionary<string, string>> ByRoute = new()
    {
        ["POST v1/tasks"] = new() { ["application/json"] = Task },
        ["POST v1/batches"] = new()
        {
            ["application/json"] = """
                [{"provider":"simulator","kind":"text-to-image","model":"kling-v1-5","prompt":"a lighthouse at dusk"},
                 {"provider":"simulator","kind":"text-to-video","model":"kling-v1-6","prompt":"waves against a lighthouse","durationSeconds":5}]
                """,
            // JSON Lines is one string: one task a line.
            ["application/x-ndjson"] = "\"{\\\"provider\\\":\\\"simulator\\\",\\\"kind\\\":\\\"text-to-image\\\",\\\"model\\\":\\\"kling-v1-5\\\",\\\"prompt\\\":\\\"a lighthouse at dusk\\\"}\\n"
                + "{\\\"provider\\\":\\\"simulator\\\",\\\"kind\\\":\\\"text-to-image\\\",\\\"model\\\":\\\"kling-v1-5\\\",\\\"prompt\\\":\\\"a lighthouse at dawn\\\"}\\n\"",
        },
        ["POST v1/webhooks"] = new()
        {
            ["application/json"] = """{"url":"https://example.com/hooks/orchestrator","events":["task.succeeded","task.failed"]}""",
        },
        ["POST v1/callbacks/{provider}/{taskId}"] = new()
        {
            ["application/json"] = """
                {"task_id":"CjhF2mdnY8AAAAAAAKdOZA","task_status":"succeed","task_status_msg":"","created_at":1733000000000,"updated_at":1733000012000,
                 "task_result":{"images":[{"index":0,"url":"https://cdn.example.com/results/fox.png"}]}}
                """,
        },
    };

    /// <summary>The routes that take a body, for the test that checks each has an example.</summary>
    public static IReadOnlyCollection<string> Routes => ByRoute.Keys;

    public static void AddTo(OpenApiOperation operation, string? method, string? relativePath)
    {
        // A group's own route ("/v1/tasks" + "") comes with a trailing slash.
        if (!ByRoute.TryGetValue($"{method} {relativePath?.TrimEnd('/')}", out var examples) || operation.RequestBody?.Content is not { } content) return;
        foreach (var (mediaType, example) in examples)
            if (content.TryGetValue(mediaType, out var media) && media is OpenApiMediaType m) m.Example = JsonNode.Parse(example);
    }
}
