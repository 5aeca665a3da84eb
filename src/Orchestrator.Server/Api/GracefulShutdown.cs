using System.Globalization;

namespace Orchestrator.Server.Api;

/// <summary>
/// SIGTERM (a deploy, <c>docker stop</c>, <c>systemctl stop</c>): from the moment the host starts stopping, every API
/// request is refused with 503 and <c>Retry-After</c> (nothing of it is done), <c>/healthz</c> says <c>stopping</c>, and
/// the requests already under way get up to <see cref="DrainFor"/> to finish, while the actors still run, so a submit
/// that was being accepted is either durable and answered or was never started. Only then does the actor system stop.
/// Event streams are ended at once: they would hold the shutdown for as long as their clients stay.
/// </summary>
public sealed class GracefulShutdown
{
    /// <summary>How long requests under way at SIGTERM may take to finish; the rest of the 10 s is the actor system's to stop.</summary>
    public static readonly TimeSpan DrainFor = TimeSpan.FromSeconds(4);

    /// <summary>What a refused client is told to wait: about a restart's time.</summary>
    public const int RetryAfterSeconds = 5;

    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _log;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;

    /// <summary>Watches <paramref name="lifetime"/> for the stop.</summary>
    public GracefulShutdown(IHostApplicationLifetime lifetime, ILogger<GracefulShutdown> log)
    {
        _lifetime = lifetime;
        _log = log;
        // Runs before any hosted service stops (the actor system among them), and holds them back until it returns.
        lifetime.ApplicationStopping.Register(Drain);
    }

    /// <summary>True once the host is stopping.</summary>
    public bool IsStopping => _lifetime.ApplicationStopping.IsCancellationRequested;

    private void Drain()
    {
        var inFlight = Volatile.Read(ref _inFlight);
        if (inFlight > 0 && !_drained.Task.Wait(DrainFor))
            _log.LogWarning("Stopping with {Count} request(s) still under way after {Seconds} s", Volatile.Read(ref _inFlight), DrainFor.TotalSeconds);
        else
            _log.LogInformation("Stopping: {Count} request(s) under way finished; no new ones accepted", inFlight);
    }

    /// <summary>Whether the path is a probe (<c>/healthz</c>, <c>/readyz</c>): those answer for themselves while stopping.</summary>
    public static bool IsProbe(PathString path) => path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");

    /// <summary>The same, for a route's relative path as the API description gives it (<c>readyz</c>).</summary>
    public static bool IsProbe(string? relativePath) => relativePath is { } p && IsProbe(new PathString("/" + p.TrimStart('/')));

    /// <summary>Refuses API requests once stopping, and counts the ones under way until then.</summary>
    public async Task HandleAsync(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path;
        // Probes answer for themselves; the in-process simulator stands for a provider, which a deploy here does not stop.
        if (IsProbe(path) || path.StartsWithSegments(ServerProgram.SimulatorPath))
        {
            await next(http);
            return;
        }
        if (IsStopping)
        {
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down",
                detail: $"This node is shutting down and accepts nothing new; try again in {RetryAfterSeconds} s.").ExecuteAsync(http);
            return;
        }
        if (path.StartsWithSegments("/v1/events"))
        {
            // A stream lasts as long as its client: end it at the stop (the client resumes from Last-Event-ID).
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _lifetime.ApplicationStopping);
            http.RequestAborted = ended.Token;
            await next(http);
            return;
        }
        Interlocked.Increment(ref _inFlight);
        try
        {
            await next(http);
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && IsStopping) _drained.TrySetResult();
        }
    }
}

/// <summary>Wires <see cref="GracefulShutdown"/> into the pipeline.</summary>
public static class GracefulShutdownExtensions
{
    /// <summary>Refuses API requests with 503 once the host is stopping, and lets those under way finish first.</summary>
    public static IApplicationBuilder UseGracefulShutdown(this IApplicationBuilder app)
    {
        var shutdown = app.ApplicationServices.GetRequiredService<GracefulShutdown>();
        return app.Use((http, next) => shutdown.HandleAsync(http, next));
    }
}
