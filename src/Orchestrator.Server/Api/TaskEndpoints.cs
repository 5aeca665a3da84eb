using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Contracts;
using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>The fixed task API: <c>/v1/tasks</c>, <c>/v1/providers</c>, <c>/healthz</c>.</summary>
public static class TaskEndpoints
{
    public const int MaxPageSize = 500;

    public static void Map(WebApplication app)
    {
        app.MapPost("/v1/tasks", Submit);
        app.MapGet("/v1/tasks/{id}", async (string id, IOrchestrator o, CancellationToken ct) =>
            await o.GetAsync(id, ct) is { } view ? Results.Ok(view) : ApiProblems.TaskNotFound(id));
        app.MapDelete("/v1/tasks/{id}", Cancel);
        app.MapGet("/v1/tasks", List);
        app.MapGet("/v1/providers", async (IOrchestrator o, CancellationToken ct) => Results.Ok(new ProviderList(await o.ProvidersAsync(ct))));
        app.MapGet("/healthz", (IOrchestrator o) => o.IsReady
            ? Results.Ok(new HealthStatus(HealthStatus.Ready))
            : Results.Json(new HealthStatus(HealthStatus.Starting), ApiJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable));
    }

    private static async Task<IResult> Submit(HttpRequest request, IOrchestrator orchestrator, CancellationToken ct)
    {
        if (!ApiContentTypes.IsJson(request.ContentType))
            return ApiProblems.UnsupportedMediaType(request.HttpContext, "application/json", "POST /v1/tasks takes one task as a JSON object");
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            return ApiProblems.Invalid(new FieldError("body", request.ContentLength == 0
                ? "The body is empty: send one task as a JSON object."
                : $"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})."));
        }
        TaskSubmission submission;
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return ApiProblems.Invalid(new FieldError("body", $"The body must be a JSON object (one task), not {KindOf(document.RootElement)}. "
                    + "To submit many tasks at once, send a JSON array or JSON Lines to POST /v1/batches."));
            var (read, errors) = TaskSubmissionJson.Read(document.RootElement);
            if (read is null) return ApiProblems.Invalid([.. errors]);
            submission = read;
        }
        try
        {
            var (view, created) = await orchestrator.SubmitAsync(submission, ct);
            return created
                ? Results.Accepted($"/v1/tasks/{view.Id}", view)
                : Results.Ok(view);
        }
        catch (TaskValidationException ex)
        {
            return ApiProblems.Invalid([.. ex.Errors]);
        }
        catch (QueueFullException ex)
        {
            request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(ex.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Provider queue full", detail: ex.Message,
                extensions: new Dictionary<string, object?> { ["field"] = "provider", ["account"] = ex.Account });
        }
        catch (IdempotencyConflictException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Idempotency key reused",
                detail: ex.Message, extensions: new Dictionary<string, object?> { ["taskId"] = ex.TaskId, ["field"] = "idempotencyKey" });
        }
    }

    private static async Task<IResult> Cancel(string id, IOrchestrator orchestrator, CancellationToken ct)
    {
        var result = await orchestrator.CancelAsync(id, ct);
        if (result is not { } r) return ApiProblems.TaskNotFound(id);
        return r.Cancelled
            ? Results.Accepted($"/v1/tasks/{id}", r.View)
            : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Task already ended",
                detail: $"Task {id} already ended with status {JsonNamingPolicy.SnakeCaseLower.ConvertName(r.View.Status.ToString())}.");
    }

    private static async Task<IResult> List(HttpRequest request, IOrchestrator orchestrator, CancellationToken ct)
    {
        var q = request.Query;
        TaskLifecycle? status = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            var parsed = Enum.GetValues<TaskLifecycle>().Where(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()) == s).ToList();
            if (parsed.Count == 0)
                return ApiProblems.Invalid(new FieldError("status", $"One of: {string.Join(", ", Enum.GetValues<TaskLifecycle>().Select(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString())))}."));
            status = parsed[0];
        }
        var limit = 50;
        if (q["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, out limit) || limit < 1 || limit > MaxPageSize))
            return ApiProblems.Invalid(new FieldError("limit", $"An integer between 1 and {MaxPageSize}."));
        var after = q["after"].ToString() is { Length: > 0 } a ? a : null;
        var provider = q["provider"].ToString() is { Length: > 0 } p ? p : null;
        try
        {
            var page = await orchestrator.ListAsync(new ListTasks(status, provider, limit, after), ct);
            return Results.Ok(page);
        }
        catch (TaskValidationException ex)
        {
            return ApiProblems.Invalid([.. ex.Errors]);
        }
    }

    private static string KindOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => e.ValueKind.ToString().ToLowerInvariant(),
    };
}
