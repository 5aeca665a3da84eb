using Microsoft.AspNetCore.Http;

namespace Orchestrator.Tests.Support;

/// <summary>
/// Simulator middleware that keeps the next task query's answer from leaving until the test releases it. The answer
/// is computed first (at the simulator's clock when the query arrived) and only its delivery waits, so a test can
/// hold a call in flight with a known answer and make something else happen meanwhile (a cancel, a callback, a restart).
/// </summary>
public sealed class HeldAnswers
{
    private readonly Lock _lock = new();
    private bool _armed;
    private TaskCompletionSource _held = NewSignal();
    private TaskCompletionSource _release = NewSignal();

    /// <summary>Hold the next single-task query's answer.</summary>
    public void HoldNext()
    {
        lock (_lock)
        {
            _armed = true;
            _held = NewSignal();
            _release = NewSignal();
        }
    }

    /// <summary>Completes once an answer is computed and being held.</summary>
    public Task WhenHeld
    {
        get { lock (_lock) return _held.Task; }
    }

    /// <summary>Lets the held answer go.</summary>
    public void Release()
    {
        lock (_lock) _release.TrySetResult();
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        TaskCompletionSource held, release;
        lock (_lock)
        {
            if (!_armed || !IsTaskQuery(context.Request))
            {
                held = release = null!;
            }
            else
            {
                _armed = false;
                (held, release) = (_held, _release);
            }
        }
        if (held is null)
        {
            await next(context);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        held.TrySetResult();
        try
        {
            await release.Task.WaitAsync(context.RequestAborted);
            buffer.Position = 0;
            await buffer.CopyToAsync(original, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up (its actor system stopped): nobody is left to answer.
        }
    }

    // DMXAPI-style single query: GET /kling/v1/{images/generations|videos/...}/{id}.
    private static bool IsTaskQuery(HttpRequest r) =>
        HttpMethods.IsGet(r.Method) && r.Path.StartsWithSegments("/kling/v1") && r.Path.Value!.Count(c => c == '/') >= 5;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
