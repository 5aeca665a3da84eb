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
/// <c>Orchestrator:PublicBaseUrl</c> is set. 401 for a wrong token, 400 for a body that is not the provider's task object.
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
        callbacks.MapPost("/{provider}/{taskId}", Receive);
        return callbacks;
    }

    private static async Task<Results<Ok<CallbackReceipt>, ProblemHttpResult>> Receive(string provider, string taskId, HttpRequest request, IOrchestrator orchestrator, CallbackTokens tokens, CancellationToken ct)
    {
        // Token first: a forger learns nothing about the task or how its body would be judged.
        if (!tokens.Verify(taskId, request.Query["token"])) return Unauthorized();
        if (request.ContentLength > MaxBodyBytes) return ApiProblems.Invalid(new FieldError("body", $"At most {MaxBodyBytes} bytes."));
        JsonElement body;
        try
        {
            using var doc = await JsonDocument.ParseAsync(new LimitedStream(request.Body, MaxBodyBytes), cancellationToken: ct);
            body = doc.RootElement.Clone();
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
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

    /// <summary>Stops reading past the limit, so a huge chunked body cannot be buffered.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var n = await inner.ReadAsync(buffer, ct);
            if ((_read += n) > limit) throw new InvalidDataException("Body too large.");
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
