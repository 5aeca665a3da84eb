using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Server.Security;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>
/// <c>/v1/tasks</c>: submit, list, read and cancel tasks. What the embedding API refuses (validation, a reused
/// idempotency key, a full queue) becomes its problem in <see cref="ApiExceptionHandler"/>. A non-admin key works within
/// its tenant (<see cref="TenantStamp"/>): another tenant's task is 404, as if it did not exist.
/// </summary>
public static class TaskEndpoints
{
    /// <summary>The most tasks one page of <c>GET /v1/tasks</c> holds.</summary>
    public const int MaxPageSize = 500;

    /// <summary>Maps the <c>/v1/tasks</c> group.</summary>
    public static RouteGroupBuilder MapTaskEndpoints(this IEndpointRouteBuilder routes)
    {
        var tasks = routes.MapGroup("/v1/tasks");
        tasks.MapPost("", Submit).WithBodyLimit(RequestBodyLimits.JsonObjectBytes)
            .Accepts<TaskSubmission>("application/json").WithProblems(400, 409, 413, 415, 429);
        tasks.MapGet("", List).WithProblems(400);
        tasks.MapGet("/counts", Counts).WithProblems(400);
        tasks.MapGet("/{id}", Get).WithProblems(404);
        tasks.MapGet("/{id}/timeline", async Task<Results<Ok<TaskTimeline>, ProblemHttpResult>> (string id, ApiCaller caller, IOrchestrator o, CancellationToken ct) =>
            await VisibleTaskAsync(id, caller, o, ct) is not null && await o.TimelineAsync(id, ct) is { } timeline ? TypedResults.Ok(timeline) : ApiProblems.TaskNotFound(id))
            .WithProblems(404);
        tasks.MapDelete("/{id}", Cancel).WithProblems(404, 409);
        return tasks;
    }

    private static async Task<Results<Accepted<TaskView>, Ok<TaskView>, ProblemHttpResult>> Submit(HttpRequest request, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct)
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
            var (stamped, wrongTenant) = TenantStamp.Apply(read, caller);
            if (stamped is null) return ApiProblems.Invalid(wrongTenant!);
            submission = TenantStamp.ScopeIdempotencyKey(stamped, caller);
        }
        var (view, created) = await orchestrator.SubmitAsync(submission, ct);
        return created ? TypedResults.Accepted($"/v1/tasks/{view.Id}", view) : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<TaskView>, ProblemHttpResult>> Get(string id, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct) =>
        await VisibleTaskAsync(id, caller, orchestrator, ct) is { } view ? TypedResults.Ok(view) : ApiProblems.TaskNotFound(id);

    /// <summary>The task's view when it exists and belongs to the caller's tenant (an admin sees every task), else null.</summary>
    public static async Task<TaskView?> VisibleTaskAsync(string id, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct) =>
        await orchestrator.GetAsync(id, ct) is { } view && caller.Sees(TenantStamp.Of(view)) ? view : null;

    private static async Task<Results<Accepted<TaskView>, ProblemHttpResult>> Cancel(string id, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct)
    {
        // A task's tenant never changes, so a look first decides; another tenant's task is not cancelled, and is 404.
        if (!caller.SeesEveryTenant && await VisibleTaskAsync(id, caller, orchestrator, ct) is null) return ApiProblems.TaskNotFound(id);
        var result = await orchestrator.CancelAsync(id, ct);
        if (result is not { } r) return ApiProblems.TaskNotFound(id);
        return r.Cancelled
            ? TypedResults.Accepted($"/v1/tasks/{id}", r.View)
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Task already ended",
                detail: $"Task {id} already ended with status {JsonNamingPolicy.SnakeCaseLower.ConvertName(r.View.Status.ToString())}.");
    }

    private static async Task<Results<Ok<TaskPage>, ProblemHttpResult>> List(HttpRequest request, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct)
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
        var batch = q["batch"].ToString() is { Length: > 0 } b ? b : null;
        var tenant = q["tenant"].ToString() is { Length: > 0 } t ? t : null;
        if (caller.Scope is { } scope && tenant is not null && tenant != scope)
            return ApiProblems.Invalid(new FieldError("tenant", $"This key lists tenant '{scope}' only."));
        return TypedResults.Ok(await orchestrator.ListAsync(new ListTasks(status, provider, limit, after) { Tenant = caller.Scope ?? tenant, Batch = batch }, ct));
    }

    /// <summary>The most hours <c>GET /v1/tasks/counts</c> looks back.</summary>
    public const int MaxCountHours = 24 * 30;

    private static async Task<Results<Ok<TaskCounts>, ProblemHttpResult>> Counts(HttpRequest request, ApiCaller caller, IOrchestrator orchestrator, CancellationToken ct)
    {
        var hours = 24;
        if (request.Query["hours"].ToString() is { Length: > 0 } h && (!int.TryParse(h, out hours) || hours < 1 || hours > MaxCountHours))
            return ApiProblems.Invalid(new FieldError("hours", $"An integer between 1 and {MaxCountHours}."));
        return TypedResults.Ok(await orchestrator.CountTasksAsync(DateTimeOffset.UtcNow.AddHours(-hours), caller.Scope, ct));
    }

    private static string KindOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => e.ValueKind.ToString().ToLowerInvariant(),
    };
}
