using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Orchestrator.Hosting;
using Orchestrator.Tasks;
using Orchestrator.Webhooks;

namespace Orchestrator.Server.Api;

/// <summary>
/// The one place where an exception from an endpoint becomes an answer (registered with <c>AddExceptionHandler</c>,
/// run by <c>UseExceptionHandler</c>): what the embedding API throws for a caller's mistake becomes its problem
/// (400 naming each field, 409, 429 with <c>Retry-After</c>), what Kestrel refuses while reading a body keeps its status
/// (413, 408, 400; a body it cannot frame, or whose names or strings are not UTF-8, is a 400 on the body), and anything else is a 500 that says nothing of the failure, logged here with the trace id it shows.
/// Only that log line is written: the middleware stays quiet about exceptions a handler answered, and a caller's mistake
/// is no error of the server's. Like every answer of the middleware, these carry <c>Cache-Control: no-cache,no-store</c>.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> log) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        IResult answer = exception switch
        {
            TaskValidationException e => ApiProblems.Invalid([.. e.Errors]),
            WebhookValidationException e => ApiProblems.Invalid([.. e.Errors]),
            WebhookLimitException e => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many webhook endpoints", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["limit"] = e.Limit }),
            QueueFullException e => ApiProblems.QueueFull(http, e),
            WebhookRegistryUnavailableException e => ApiProblems.Unavailable(http, "Webhooks unavailable", e.Message, e.RetryAfter),
            // Not logged per request: under load every submit would be; the journal's own failures are logged where they happen.
            JournalUnavailableException e => ApiProblems.Unavailable(http, "Journal unavailable", e.Message, e.RetryAfter),
            IdempotencyConflictException e => ApiProblems.IdempotencyConflict(e),
            BatchIdempotencyConflictException e => ApiProblems.BatchIdempotencyConflict(e),
            BatchTooLargeException e => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Batch too large", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["field"] = "body", ["limit"] = e.MaxLines }),
            BadHttpRequestException e => ApiProblems.BadRequestBody(http, e),
            _ when ApiProblems.IsNotUtf8(exception) => ApiProblems.Invalid(new FieldError("body", ApiProblems.NotUtf8Message)),
            IOException e when ApiProblems.IsUnreadableBody(e) => ApiProblems.Invalid(new FieldError("body", $"The body could not be read: {e.Message}")),
            _ when Overloaded(exception) => ApiProblems.Overloaded(http),
            _ => Unexpected(http, exception),
        };
        await answer.ExecuteAsync(http);
        return true;
    }

    /// <summary>
    /// The node is past what it can take right now (an actor did not answer in time, the journal's circuit breaker is
    /// open, the database is busy): a 503 with <c>Retry-After</c> that a client retries, never a 500. Logged as a warning.
    /// </summary>
    private bool Overloaded(Exception exception)
    {
        var overloaded = exception is Akka.Actor.AskTimeoutException or Akka.Pattern.OpenCircuitException
            || exception is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 }; // SQLITE_BUSY, SQLITE_LOCKED
        if (overloaded) log.LogWarning("Answered 503: the node is overloaded ({Reason})", exception.GetType().Name);
        return overloaded;
    }

    private IResult Unexpected(HttpContext http, Exception exception)
    {
        // The trace id the problem-details service would show; the log line carries it so the two can be matched. The path
        // without its query: a provider's callback carries its token there.
        var traceId = Activity.Current?.Id ?? http.TraceIdentifier;
        log.LogError(exception, "{Method} {Path} failed (trace id {TraceId})", http.Request.Method, http.Request.Path.Value, traceId);
        return ApiProblems.Unexpected(traceId);
    }
}
