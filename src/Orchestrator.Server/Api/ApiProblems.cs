using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>RFC 7807 problem answers shared by the endpoints and <see cref="ApiExceptionHandler"/>.</summary>
public static class ApiProblems
{
    /// <summary>404: no task has this id.</summary>
    public static ProblemHttpResult TaskNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Task not found", detail: $"No task with id '{id}'.");

    /// <summary>A validation problem; <c>errors</c> maps each field to its messages, <c>detail</c> repeats the first.</summary>
    // What Results.ValidationProblem built (a ProblemHttpResult over HttpValidationProblemDetails), so a 400 reads as it always did.
    public static ProblemHttpResult Invalid(params FieldError[] errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid.",
            Detail = $"{errors[0].Field}: {errors[0].Message}",
        });

    /// <summary>
    /// 415 for a body sent as another media type (curl's <c>-d</c> sends a form, HttpClient's <c>StringContent</c> plain
    /// text); <paramref name="accepted"/> goes into <c>Accept-Post</c> and the detail says what to send.
    /// </summary>
    public static ProblemHttpResult UnsupportedMediaType(HttpContext http, string accepted, string what)
    {
        http.Response.Headers["Accept-Post"] = accepted;
        var got = http.Request.ContentType is { Length: > 0 } type ? $"'{type}'" : "no Content-Type";
        return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
            detail: $"{what}, with Content-Type: {accepted} (got {got}).");
    }

    /// <summary>429 with <c>Retry-After</c> (whole seconds, rounded up): the account's submit queue is at its bound.</summary>
    public static ProblemHttpResult QueueFull(HttpContext http, QueueFullException ex)
    {
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(ex.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Provider queue full", detail: ex.Message,
            extensions: new Dictionary<string, object?> { ["field"] = "provider", ["account"] = ex.Account });
    }

    /// <summary>503 with <c>Retry-After</c> (whole seconds, rounded up): a part of the node is down for now; nothing was done.</summary>
    public static ProblemHttpResult Unavailable(HttpContext http, string title, string detail, TimeSpan retryAfter)
    {
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail);
    }

    /// <summary>How long an overloaded node asks a client to wait before it tries again.</summary>
    public const int OverloadedRetryAfterSeconds = 5;

    /// <summary>503 with <c>Retry-After</c>: the node could not answer in time (a submit may or may not have been accepted).</summary>
    public static ProblemHttpResult Overloaded(HttpContext http)
    {
        http.Response.Headers.RetryAfter = OverloadedRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Overloaded",
            detail: $"The orchestrator could not answer in time; try again in {OverloadedRetryAfterSeconds} s (a submit retried with the same idempotencyKey never makes a second task).");
    }

    /// <summary>409: the idempotency key names a task made from another request.</summary>
    public static ProblemHttpResult IdempotencyConflict(IdempotencyConflictException ex) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Idempotency key reused",
            detail: ex.Message, extensions: new Dictionary<string, object?> { ["taskId"] = ex.TaskId, ["field"] = "idempotencyKey" });

    /// <summary>409: the batch upload's <c>Idempotency-Key</c> names a batch uploaded with other lines.</summary>
    public static ProblemHttpResult BatchIdempotencyConflict(BatchIdempotencyConflictException ex) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Idempotency key reused",
            detail: ex.TakenOver
                ? $"Another upload with this Idempotency-Key took batch {ex.BatchId} over while this one was being sent (two uploads of one key at once): the batch holds that upload's lines, and nothing of this one runs. Read it with GET /v1/batches/{ex.BatchId}."
                : $"The Idempotency-Key header names batch {ex.BatchId}, uploaded with other lines: send those lines again, or use a new key for a new batch.",
            extensions: new Dictionary<string, object?> { ["batchId"] = ex.BatchId, ["field"] = BatchEndpoints.IdempotencyKeyHeader });

    /// <summary>
    /// What Kestrel refused while the body was read: 413 past the endpoint's size limit (named, with the limit), 408 for
    /// a body that arrives too slowly, otherwise a 400 on the body (a truncated or malformed transfer).
    /// </summary>
    public static ProblemHttpResult BadRequestBody(HttpContext http, BadHttpRequestException ex)
    {
        var request = $"{http.Request.Method} {http.Request.Path}";
        switch (ex.StatusCode)
        {
            case StatusCodes.Status413PayloadTooLarge:
                var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
                return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                    detail: limit is { } max ? $"{request} takes a body of at most {max} bytes ({Size(max)})." : $"The body is too large for {request}.",
                    extensions: new Dictionary<string, object?> { ["field"] = "body", ["limit"] = limit });
            case StatusCodes.Status408RequestTimeout:
                return TypedResults.Problem(statusCode: StatusCodes.Status408RequestTimeout, title: "Request body too slow",
                    detail: $"The body of {request} arrived too slowly.", extensions: new Dictionary<string, object?> { ["field"] = "body" });
            default:
                // Kestrel's messages describe the request ("Unexpected end of request content."), never the server.
                return Invalid(new FieldError("body", ex.Message));
        }
    }

    /// <summary>What a body whose names or strings hold bytes that are not UTF-8 is told.</summary>
    public const string NotUtf8Message = "The body is not valid UTF-8: a field name or string holds bytes that are not UTF-8 text.";

    /// <summary>
    /// Whether <paramref name="ex"/> is System.Text.Json reading a name or string that is not UTF-8: <c>JsonDocument</c>
    /// checks a body's structure only, so such bytes pass the parse and fail where they are read.
    /// </summary>
    public static bool IsNotUtf8(Exception ex) => ex is InvalidOperationException { InnerException: System.Text.DecoderFallbackException };

    /// <summary>
    /// Whether <paramref name="ex"/> is Kestrel failing to read the request body's framing (a chunk size too large to count
    /// is an <see cref="IOException"/> from its chunked decoder, not a <see cref="BadHttpRequestException"/>).
    /// </summary>
    public static bool IsUnreadableBody(Exception ex) =>
        ex is IOException && ex.TargetSite?.DeclaringType?.Namespace == "Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http";

    /// <summary>500 that names nothing of the failure; <paramref name="traceId"/> finds it in the server's log.</summary>
    public static ProblemHttpResult Unexpected(string traceId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError,
            detail: $"The server failed to handle the request. Its log has the cause under trace id {traceId}.",
            extensions: new Dictionary<string, object?> { ["traceId"] = traceId });

    private static string Size(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} bytes";
}

/// <summary>Which request bodies are JSON.</summary>
public static class ApiContentTypes
{
    /// <summary><c>application/json</c> or <c>application/*+json</c>, with or without parameters such as <c>charset</c>.</summary>
    public static bool IsJson(string? contentType) =>
        System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } media
        && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
