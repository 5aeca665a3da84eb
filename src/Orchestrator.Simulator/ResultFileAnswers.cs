using Microsoft.AspNetCore.Http;

namespace Orchestrator.Simulator;

/// <summary>
/// The files area: the sample media a succeeded task's result URLs point to, with the injected result-file faults
/// and, for download tests, padding to <see cref="SimulatorOptions.ResultFileBytes"/> and chunked answers.
/// </summary>
internal static class ResultFileAnswers
{
    private static readonly byte[] Zeros = new byte[64 * 1024];

    public static async Task<IResult> ServeAsync(HttpContext http, ProviderSimulator sim, string taskId, string file)
    {
        switch (sim.AdmitResultFileDownload())
        {
            case SimulatedFault.ServerError: return Results.Text("Internal Server Error", "text/plain", statusCode: StatusCodes.Status500InternalServerError);
            case SimulatedFault.RateLimit: return Results.Text("Too Many Requests", "text/plain", statusCode: StatusCodes.Status429TooManyRequests);
            case SimulatedFault.Malformed: return SimulatorEndpoints.MalformedAnswer();
            case SimulatedFault.Timeout or SimulatedFault.AcceptThenHang: return await SimulatorEndpoints.HangAsync(http, sim);
            case SimulatedFault.Unavailable: return SimulatorEndpoints.UnavailableAnswer();
            case SimulatedFault.ConnectionReset: return SimulatorEndpoints.Reset(http);
        }
        // Not from the target itself: a redirect to another file of the simulator ends there.
        if (sim.Options.ResultRedirect is { Length: > 0 } location && !location.EndsWith(http.Request.Path.Value ?? "", StringComparison.Ordinal))
            return Results.Redirect(location);
        var task = sim.Peek(taskId);
        if (task is null || task.PhaseAt(sim.Now) != TaskPhase.Succeeded) return Results.NotFound();
        var (sample, type) = file.EndsWith(".mp4", StringComparison.Ordinal) ? (SampleMedia.Mp4, "video/mp4") : (SampleMedia.Png, "image/png");
        var size = Math.Max(sim.Options.ResultFileBytes, sample.Length);
        var chunked = sim.Options.ResultFilesChunked;
        if (size == sample.Length && !chunked) return Results.Bytes(sample, type);

        // Written piece by piece, never held whole: the point is a file larger than a client accepts.
        http.Response.ContentType = type;
        if (!chunked) http.Response.ContentLength = size;
        try
        {
            await http.Response.Body.WriteAsync(sample, http.RequestAborted);
            for (var left = size - sample.Length; left > 0; left -= Zeros.Length)
                await http.Response.Body.WriteAsync(Zeros.AsMemory(0, (int)Math.Min(left, Zeros.Length)), http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            // The client stopped reading, as a downloader refusing an oversized file does.
        }
        return Results.Empty;
    }
}
