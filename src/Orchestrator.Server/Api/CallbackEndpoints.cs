using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Callbacks;
using Orchestrator.Contracts;
using Orchestrator.Hosting;
using Orchestrator.Server.Security;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>
/// <c>POST /v1/callbacks/{provider}/{taskId}?token=…</c>: where providers report status changes when
/// <c>Orchestrator:PublicBaseUrl</c> is set. 401 for a wrong token, 400 for a body that is not the provider's task object,
/// 413 for one past <see cref="MaxBodyBytes"/>.
/// </summary>
public static class CallbackEndpoints
{
    /// <summary>A provider's task object is a few kilobytes; anything far larger is not one.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>Maps the <c>/v1/callbacks</c> group.</summary>
    public static RouteGroupBuilder MapCallbackEndpoints(this IEndpointRouteBuilder routes)
    {
        // Providers hold no API key: each callback URL carries its task's own token instead.
        var callbacks = routes.MapGroup("/v1/callbacks").AllowWithoutApiKey();
        callbacks.MapPost("/{provider}/{taskId}", Receive).WithBodyLimit(MaxBodyBytes)
            .Accepts<System.Text.Json.JsonElement>("application/json").WithProblems(400, 401, 413);
        return callbacks;
    }

    private static async Task<Results<Ok<CallbackReceipt>, ProblemHttpResult>> Receive(string provider, string taskId, HttpRequest request, IOrchestrator orchestrator, CallbackTokens tokens, CancellationToken ct)
    {
        // Token first: a forger learns nothing about the task or how its body would be judged.
        if (!tokens.Verify(taskId, request.Query["token"])) return Unauthorized();
        JsonElement body;
        try
        {
            // Past MaxBodyBytes (by its length, or as a chunked body arrives) Kestrel refuses the read: a 413 naming the limit.
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            body = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return ApiProblems.Invalid(new FieldError("body", "The body is not valid JSON."));
        }
        return await orchestrator.AcceptCallbackAsync(provider, taskId, request.Query["token"], body, ct) switch
        {
            false => Unauthorized(),
            null => ApiProblems.Invalid(new FieldError("body", $"Not a task object of provider '{provider}'.")),
            _ => TypedResults.Ok(CallbackReceipt.Accepted),
        };
    }

    private static ProblemHttpResult Unauthorized() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Bad callback token",
            detail: "The token does not belong to this task's callback URL.", extensions: new Dictionary<string, object?> { ["field"] = "token" });
}
