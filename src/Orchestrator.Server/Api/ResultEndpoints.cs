using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Orchestrator.Hosting;
using Orchestrator.ResultFiles;
using Orchestrator.Server.Security;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary><c>/v1/tasks/{id}/results/{index}</c>: a task's re-hosted result file, served from the <see cref="IResultStore"/>.</summary>
public static class ResultEndpoints
{
    /// <summary>Maps the <c>/v1/tasks/{id}/results</c> group.</summary>
    public static RouteGroupBuilder MapResultEndpoints(this IEndpointRouteBuilder routes)
    {
        var results = routes.MapGroup("/v1/tasks/{id}/results");
        results.MapGet("/{index}", Serve).WithProblems(404);
        return results;
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Serve(string id, string index, ApiCaller caller, IResultStore store, IOrchestrator orchestrator, CancellationToken ct)
    {
        // Only well-formed ids reach the store, so no request can name a path outside it.
        if (!TaskIds.IsWellFormed(id)) return ApiProblems.TaskNotFound(id);
        if (!caller.SeesEveryTenant && await TaskEndpoints.VisibleTaskAsync(id, caller, orchestrator, ct) is null) return ApiProblems.TaskNotFound(id);
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i)) return NoResult(id, index);
        var file = await store.OpenAsync(id, i, ct);
        if (file is null) return NoResult(id, index);
        // The content is a fixed file, so its SHA-256 is a strong entity tag; range requests let players seek in videos.
        // The result disposes the stream once sent.
        return TypedResults.Stream(file.Content, file.File.ContentType,
            entityTag: new EntityTagHeaderValue($"\"{file.File.Sha256}\""), enableRangeProcessing: true);
    }

    private static ProblemHttpResult NoResult(string id, string index) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Result not found",
            detail: $"Task '{id}' has no stored result with index '{index}'.");
}
