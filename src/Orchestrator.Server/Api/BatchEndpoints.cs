using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Orchestrator.Batches;
using Orchestrator.Hosting;
using Orchestrator.Server.Security;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>
/// <c>/v1/batches</c>: upload (streamed JSON Lines or JSON array), status, results as JSON Lines, cancel. A non-admin
/// key's upload has its tenant stamped on every line (<see cref="TenantStamp"/>), and another tenant's batch is 404.
/// </summary>
public static class BatchEndpoints
{
    /// <summary>Maps the <c>/v1/batches</c> group.</summary>
    public static RouteGroupBuilder MapBatchEndpoints(this IEndpointRouteBuilder routes)
    {
        var batches = routes.MapGroup("/v1/batches");
        batches.MapPost("", Upload).WithBodyLimit(RequestBodyLimits.BatchBytes)
            .Accepts<TaskSubmission[]>("application/json", "application/x-ndjson").Produces<BatchAcceptance>(StatusCodes.Status202Accepted)
            .Produces<BatchAcceptance>(StatusCodes.Status200OK)
            .WithProblems(400, 409, 413, 415);
        batches.MapGet("", List).WithProblems(400);
        batches.MapPost("/{id}/retry", Retry).WithProblems(404, 409);
        batches.MapGet("/{id}", async Task<Results<Ok<BatchView>, ProblemHttpResult>> (string id, ApiCaller caller, IOrchestrator o, CancellationToken ct) =>
            await VisibleBatchAsync(id, caller, o, ct) is { } view ? TypedResults.Ok(view) : NotFound(id)).WithProblems(404);
        batches.MapGet("/{id}/results", EndedTasks).WithProblems(404);
        batches.MapDelete("/{id}", Cancel).WithProblems(404, 409);
        return batches;
    }

    /// <summary>Like a task's cancel: 202 while something has not ended, 409 once every task has ended.</summary>
    private static async Task<BatchView?> VisibleBatchAsync(string id, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct) =>
        await orchestrator.GetBatchAsync(id, ct) is { } view && caller.Sees(view.Tenant) ? view : null;

    private static async Task<Results<Accepted<BatchCancellation>, ProblemHttpResult>> Cancel(string id, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct)
    {
        if (!caller.SeesEveryTenant && await VisibleBatchAsync(id, caller, orchestrator, ct) is null) return NotFound(id);
        if (await orchestrator.CancelBatchAsync(id, ct) is not { } r) return NotFound(id);
        if (!r.AlreadyEnded)
            return TypedResults.Accepted($"/v1/batches/{id}", new BatchCancellation(id, r.QueuedCancelled, r.StartedAsked, r.AlreadyCancelled));
        var view = await orchestrator.GetBatchAsync(id, ct);
        var counts = view?.Counts.Where(kv => kv.Value > 0).ToDictionary() ?? [];
        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Batch already ended",
            detail: $"Batch {id} already ended: {string.Join(", ", counts.Select(kv => $"{kv.Value} {kv.Key}"))}.",
            extensions: new Dictionary<string, object?> { ["batchId"] = id, ["total"] = view?.Total, ["cancelled"] = view?.Cancelled, ["counts"] = counts });
    }

    /// <summary>The most batches one <c>GET /v1/batches</c> lists.</summary>
    public const int MaxListed = 100;

    private static async Task<Results<Ok<BatchList>, ProblemHttpResult>> List(HttpRequest request, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct)
    {
        var limit = 20;
        if (request.Query["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, out limit) || limit < 1 || limit > MaxListed))
            return ApiProblems.Invalid(new FieldError("limit", $"An integer between 1 and {MaxListed}."));
        return TypedResults.Ok(new BatchList(await orchestrator.ListBatchesAsync(limit, caller.Scope, ct)));
    }

    /// <summary>
    /// 202 with the new batch that runs the failed and timed-out lines again; 409 while a task of the batch has not ended
    /// (cancel it, or wait), and when no such line is left that an earlier retry does not already run.
    /// </summary>
    private static async Task<Results<Accepted<BatchRetryAcceptance>, ProblemHttpResult>> Retry(string id, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct)
    {
        if (!caller.SeesEveryTenant && await VisibleBatchAsync(id, caller, orchestrator, ct) is null) return NotFound(id);
        return await orchestrator.RetryBatchAsync(id, ct) switch
        {
            null => NotFound(id),
            BatchRetryOutcome.Retried r => TypedResults.Accepted($"/v1/batches/{r.Acceptance.BatchId}", r.Acceptance),
            BatchRetryOutcome.StillRunning s => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Batch still running",
                detail: $"Batch {id} is still running: {s.Ended} of {s.Total} tasks ended. Retry once every task has ended, or cancel the batch first.",
                extensions: new Dictionary<string, object?> { ["batchId"] = id, ["ended"] = s.Ended, ["total"] = s.Total }),
            BatchRetryOutcome.NothingToRetry n => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to retry",
                detail: n.Retries.Count == 0
                    ? $"Batch {id} has nothing to retry: no task failed or timed out (cancelled tasks are not retried)."
                    : $"Batch {id} has nothing to retry: its failed lines already run again in batch {string.Join(", ", n.Retries)}.",
                extensions: new Dictionary<string, object?> { ["batchId"] = id, ["retries"] = n.Retries }),
            BatchRetryOutcome.Refused f => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to retry",
                detail: $"Batch {id}: every line to retry is refused now (line {f.Rejected[0].Line}: {f.Rejected[0].Errors[0].Field}: {f.Rejected[0].Errors[0].Message}).",
                extensions: new Dictionary<string, object?> { ["batchId"] = id, ["rejected"] = f.Rejected }),
            var other => throw new InvalidOperationException($"Unexpected retry outcome {other.GetType().Name}"),
        };
    }

    /// <summary>The header that makes an upload idempotent: sent again with the same lines, it answers the batch it made.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>
    /// 202 with the new batch; with an <c>Idempotency-Key</c> (per tenant, like a task's <c>idempotencyKey</c>) the same
    /// upload sent again is 200 with the batch it made, other lines under the key 409, and a key whose earlier upload never
    /// completed is the new upload's.
    /// </summary>
    private static async Task<Results<JsonHttpResult<BatchAcceptance>, ProblemHttpResult>> Upload(HttpRequest request, ApiCaller caller, IOrchestrator orchestrator,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, CancellationToken ct)
    {
        if (TaskValidator.IdempotencyKeyProblem(idempotencyKey) is { } keyProblem)
            return ApiProblems.Invalid(new FieldError(IdempotencyKeyHeader, keyProblem));
        var jsonLines = BatchUploadReader.IsJsonLines(request.ContentType);
        if (!jsonLines && !ApiContentTypes.IsJson(request.ContentType))
            return ApiProblems.UnsupportedMediaType(request.HttpContext, "application/x-ndjson, application/json",
                "POST /v1/batches takes JSON Lines (one task a line) or a JSON array of tasks");
        var atomic = request.Query["atomic"].ToString() is "true" or "1";
        var lines = jsonLines
            ? BatchUploadReader.ReadJsonLinesAsync(request.BodyReader, ct)
            : BatchUploadReader.ReadJsonArrayAsync(request.Body, ct);
        lines = Stamped(lines, caller);
        BatchAcceptance acceptance;
        try
        {
            acceptance = await orchestrator.SubmitBatchAsync(lines, new BatchSubmitOptions(atomic, idempotencyKey is null ? null : TenantStamp.ScopeKey(idempotencyKey, caller)), ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            return ApiProblems.Invalid(new FieldError("body", ex is JsonException ? "The body is not a JSON array of task requests (or JSON Lines with Content-Type application/x-ndjson)." : ex.Message));
        }
        // 202 with the new batch's id in the body (no Location), 200 for an upload sent again, 400 when nothing was accepted.
        return TypedResults.Json(acceptance, ApiJson.Options,
            statusCode: acceptance.BatchId is null ? StatusCodes.Status400BadRequest : acceptance.Repeated ? StatusCodes.Status200OK : StatusCodes.Status202Accepted);
    }

    /// <summary>Each line with the caller's tenant set; a line that names another tenant becomes a rejection naming <c>metadata.tenant</c>.</summary>
    private static async IAsyncEnumerable<BatchLineInput> Stamped(IAsyncEnumerable<BatchLineInput> lines, ApiCaller caller)
    {
        await foreach (var line in lines)
        {
            if (line.Submission is null) { yield return line; continue; }
            var (stamped, error) = TenantStamp.Apply(line.Submission, caller);
            yield return stamped is null ? new BatchLineInput(line.Line, null, error) : line with { Submission = stamped };
        }
    }

    /// <summary>The batch's ended tasks as JSON Lines, written as they are read, page by page.</summary>
    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> EndedTasks(string id, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct)
    {
        if (await VisibleBatchAsync(id, caller, orchestrator, ct) is null) return NotFound(id);
        return TypedResults.Stream(async body =>
        {
            var newline = "\n"u8.ToArray();
            await foreach (var view in orchestrator.BatchResultsAsync(id, ct))
            {
                await JsonSerializer.SerializeAsync(body, view, ApiJson.Options, ct);
                await body.WriteAsync(newline, ct);
            }
        }, "application/x-ndjson");
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Batch not found", detail: $"No batch with id '{id}'.");
}
