using Microsoft.Extensions.FileProviders;

namespace Orchestrator.Server.Api;

/// <summary>
/// The dashboard at <c>/</c>: plain HTML, CSS and JavaScript modules embedded in this assembly (src/Orchestrator.Server/Dashboard),
/// so <c>dotnet run</c>, a published build and the tests' in-process server all serve the same files without a
/// front-end build. The files hold no data and are served without an API key; every call the page makes to
/// <c>/v1</c> needs one when the server has keys (the page asks for it).
/// </summary>
public static class DashboardFiles
{
    /// <summary>Serves <c>/</c> (<c>index.html</c>) and the dashboard's other files; anything else passes on.</summary>
    public static IApplicationBuilder UseDashboard(this IApplicationBuilder app)
    {
        var files = new EmbeddedFileProvider(typeof(DashboardFiles).Assembly, "Orchestrator.Server.Dashboard");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // Revalidated on every load (cheap: the ETag matches), so an upgraded server is never shown with yesterday's script.
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
    }
}
