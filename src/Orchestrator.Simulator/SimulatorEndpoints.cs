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

    public static IEndpointRouteBuilder MapProviderSimulator(this IEndpointRouteBuilder app, ProviderSimulator sim, string prefix = "")
    {
        prefix = prefix.TrimEnd('/');
        var group = app.MapGroup(prefix);
        KlingEndpoints.Map(group, sim, prefix);
        ChanjingEndpoints.Map(group, sim, prefix);
        group.MapGet(FilesSegment + "/{taskId}/{file}", (HttpContext http, string taskId, string file) => ResultFileAnswers.ServeAsync(http, sim, taskId, file));
        group.MapGet("/_sim/stats", () => Results.Json(sim.Stats()));
        group.MapGet("/_sim/stats/{account}", (string account) =>
            sim.FindAccount(account) is { } a ? Results.Json(a.Stats()) : Results.NotFound());
        group.MapPost("/_sim/faults", (SimulatedFault kind, int count, string? account, SimulatedFaultTarget? target) =>
        {
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
        // Whoever hosts the simulator stops it with the host: hanging answers end, the callback loop stops.
        app.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(sim.Dispose);
        return app;
    }

    /// <summary>Absolute URL of the files area for links in task results, under the simulator's prefix.</summary>
    public static string FilesBase(HttpContext http, string prefix) =>
        $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{prefix}{FilesSegment}";

    /// <summary>What a misbehaving gateway sends instead of the provider's JSON.</summary>
    internal static IResult MalformedAnswer() => Results.Text("<html>502 Bad Gateway</html>", "text/html", statusCode: 200);

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
