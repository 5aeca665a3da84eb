using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Orchestrator.Server.Api;

/// <summary>An example of every problem answer the API gives, as the endpoints write them (RFC 7807, camelCase).</summary>
internal static class ProblemExamples
{
    private static readonly Dictionary<int, (string Description, string Example)> ByStatus = new()
    {
        [400] = ("The request is invalid: `errors` names each rejected field; nothing was stored", """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is invalid.","status":400,
             "detail":"prompt: The prompt is required.","errors":{"prompt":["The prompt is required."]},"traceId":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
            """),
        [401] = ("No valid API key (or, on a callback, a wrong callback token)", """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.2","title":"API key required","status":401,
             "detail":"Send an API key as Authorization: Bearer <key> (the CLI takes --api-key or ORCHESTRATOR_API_KEY).","field":"Authorization"}
            """),
        [403] = ("The key's role is not enough for this call (or a cross-site browser request was refused)", """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.4","title":"Not allowed for this key","status":403,
             "detail":"POST /v1/tasks needs a submit key; key 'dashboard' is a read key.","role":"read","required":"submit"}
            """),
        [404] = ("Nothing with this id (or it belongs to another tenant)", """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Task not found","status":404,"detail":"No task with id 'tsk_01jd0000000000000000000000'."}
            """),
        [409] = ("A conflict: an idempotency key reused with another request, or something that already ended", """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Idempotency key reused","status":409,
             "detail":"The idempotency key is already used by task tsk_01jd0000000000000000000000 with a different request.",
             "taskId":"tsk_01jd0000000000000000000000","field":"idempotencyKey"}
            """),
        [413] = ("The body is larger than this endpoint takes", """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.14","title":"Request body too large","status":413,
             "detail":"The request body is larger than this endpoint takes (65,536 bytes)."}
            """),
        [415] = ("The body was sent as another media type (the Accept-Post header says which ones are taken)", """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.16","title":"Unsupported content type","status":415,
             "detail":"POST /v1/tasks takes one task as a JSON object, with Content-Type: application/json (got 'text/plain')."}
            """),
        [429] = ("The provider account's submit queue is full: retry after Retry-After seconds; nothing was stored", """
            {"type":"https://tools.ietf.org/html/rfc6585#section-4","title":"Provider queue full","status":429,
             "detail":"Provider account 'dmxapi' already has 10000 tasks waiting to be submitted; try again in 20 s.","field":"provider","account":"dmxapi"}
            """),
        [503] = ("The node cannot take this now (shutting down, overloaded, or its journal unavailable): retry after Retry-After seconds", """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Shutting down","status":503,
             "detail":"This node is shutting down and accepts nothing new; try again in 5 s."}
            """),
    };

    public static IEnumerable<int> Statuses => ByStatus.Keys;

    public static OpenApiResponse Response(int status, IOpenApiSchema? schema)
    {
        var (description, example) = ByStatus.TryGetValue(status, out var known) ? known : ("A problem", $$"""{"status":{{status}}}""");
        return new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = schema, Example = JsonNode.Parse(example) },
            },
        };
    }
}
