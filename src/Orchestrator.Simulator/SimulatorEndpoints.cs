using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Orchestrator.Simulator;

/// <summary>Maps every simulated protocol, the result files and the control endpoints under one prefix.</summary>
public static class SimulatorEndpoints
{
    private const string FilesSegment = "/files";

    public static IEndpointRouteBuilder MapProviderSimulator(this IEndpointRouteBuilder app, ProviderSimulator sim, string prefix = "")
    {
        prefix = prefix.TrimEnd('/');
        var group = app.MapGroup(prefix);
        KlingEndpoints.Map(group, sim, "/kling");
        group.MapGet(FilesSegment + "/{taskId}/{file}", (string taskId, string file) => ResultFile(sim, taskId, file));
        group.MapGet("/_sim/stats", () => Results.Json(sim.Stats()));
        group.MapPost("/_sim/faults", (SimulatedFault kind, int count) =>
        {
            sim.Inject(kind, count);
            return Results.NoContent();
        });
        return app;
    }

    /// <summary>Absolute URL of the files area for links in task results, under the same prefix the request came in on.</summary>
    public static string FilesBase(HttpContext http)
    {
        var path = http.Request.PathBase + http.Request.Path;
        var p = path.Value ?? "";
        var kling = p.IndexOf("/kling/", StringComparison.Ordinal);
        var root = kling >= 0 ? p[..kling] : "";
        return $"{http.Request.Scheme}://{http.Request.Host}{root}{FilesSegment}";
    }

    private static IResult ResultFile(ProviderSimulator sim, string taskId, string file)
    {
        var task = sim.Peek(taskId);
        if (task is null || task.StatusAt(sim.Now) != "succeed") return Results.NotFound();
        var (bytes, type) = file.EndsWith(".mp4", StringComparison.Ordinal) ? (SampleMedia.Mp4, "video/mp4") : (SampleMedia.Png, "image/png");
        return Results.Bytes(bytes, type);
    }
}
