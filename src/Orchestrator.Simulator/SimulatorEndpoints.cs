using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Orchestrator.Simulator;

/// <summary>Maps every simulated protocol, the result files and the control endpoints under one prefix.</summary>
public static class SimulatorEndpoints
{
    private const string FilesSegment = "/files";

    /// <summary>The most faults one injection queues: each is held until a call takes it, so a count is memory.</summary>
    public const int MaxFaultCount = 10_000;

    /// <summary>Maps the simulator under <paramref name="prefix"/>; returns its route group, for conventions a host adds.</summary>
    public static RouteGroupBuilder MapProviderSimulator(this IEndpointRouteBuilder app, ProviderSimulator sim, string prefix = "")
    {
        prefix = prefix.TrimEnd('/');
        var group = app.MapGroup(prefix);
        KlingEndpoints.Map(group, sim, prefix);
        ChanjingEndpoints.Map(group, sim, prefix);
        group.MapGet(FilesSegment + "/{taskId}/{file}", (HttpContext http, string taskId, string file) => ResultFileAnswers.ServeAsync(http, sim, taskId, file));
        // Fault injection and stats steer and watch the simulator: only this machine may, whatever the host listens on.
        var control = group.MapGroup("/_sim").AddEndpointFilter(LoopbackOnly);
        control.MapGet("/stats", () => Results.Json(sim.Stats()));
        control.MapGet("/stats/{account}", (string account) =>
            sim.FindAccount(account) is { } a ? Results.Json(a.Stats()) : Results.NotFound());
        control.MapPost("/faults", (SimulatedFault kind, int count, string? account, SimulatedFaultTarget? target) =>
        {
            // count=2000000000 queued two billion faults and the process ran out of memory.
            if (count is < 1 or > MaxFaultCount) return Results.BadRequest($"count is between 1 and {MaxFaultCount}.");
            if (target == SimulatedFaultTarget.ResultFiles)
            {
                if (account is not null) return Results.BadRequest("Result-file faults are simulator-wide: leave out account.");
                sim.InjectResultFileFault(kind, count);
            }
            else if (account is null) sim.Inject(kind, count);
            else if (sim.FindAccount(account) is { } a) a.Inject(kind, count);
            else return Results.NotFound();
            return Results.NoContent();
        });
        // An outage for a while: the provider down (Unavailable), a storm of rate-limit answers (RateLimit), or any other fault.
        control.MapPost("/outage", (SimulatedFault kind, double seconds, string? account) =>
        {
            // Bounded: a day is longer than any test needs, and 1e300 s would overflow TimeSpan.
            if (seconds < 0 || seconds > 86_400 || !double.IsFinite(seconds)) return Results.BadRequest("seconds must be between 0 and 86400.");
            if (account is null) sim.StartOutage(kind, TimeSpan.FromSeconds(seconds));
            else if (sim.FindAccount(account) is { } a) a.StartOutage(kind, TimeSpan.FromSeconds(seconds));
            else return Results.NotFound();
            return Results.NoContent();
        });
        // Whoever hosts the simulator stops it with the host: hanging answers end, the callback loop stops.
        app.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(sim.Dispose);
        return group;
    }

    /// <summary>Whether a request came from this machine: a loopback remote address (an in-memory test server has none).</summary>
    public static bool IsFromLoopback(HttpContext http) =>
        http.Connection.RemoteIpAddress is not { } remote || System.Net.IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    /// <summary>The control routes' filter: 403 for a caller that is not on this machine.</summary>
    public static ValueTask<object?> LoopbackOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        IsFromLoopback(context.HttpContext)
            ? next(context)
            : ValueTask.FromResult<object?>(Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Loopback only",
                detail: "The simulator's control routes (fault injection, stats) answer callers on this machine only."));

    /// <summary>Absolute URL of the files area for links in task results, under the simulator's prefix.</summary>
    public static string FilesBase(HttpContext http, string prefix) =>
        $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{prefix}{FilesSegment}";

    /// <summary>What a misbehaving gateway sends instead of the provider's JSON.</summary>
    internal static IResult MalformedAnswer() => Results.Text("<html>502 Bad Gateway</html>", "text/html", statusCode: 200);

    /// <summary>What the gateway in front of a provider that is down answers.</summary>
    internal static IResult UnavailableAnswer() => Results.Text("<html>503 Service Unavailable: no healthy upstream</html>", "text/html", statusCode: 503);

    /// <summary>Drops the connection without an answer (the client reads a reset or an early end of the response).</summary>
    internal static IResult Reset(HttpContext http)
    {
        http.Abort();
        return Results.Empty;
    }

    /// <summary>
    /// Answers nothing until the client gives up (or the simulator stops), then drops the connection rather
    /// than answer late: what a provider that timed out looks like from the client.
    /// </summary>
    internal static async Task<IResult> HangAsync(HttpContext http, ProviderSimulator sim)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, sim.Stopping);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, either.Token);
        }
        catch (OperationCanceledException)
        {
        }
        http.Abort();
        return Results.Empty;
    }
}
