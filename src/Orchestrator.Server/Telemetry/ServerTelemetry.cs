using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orchestrator.Server.Security;
using Orchestrator.Telemetry;

namespace Orchestrator.Server.Telemetry;

/// <summary>
/// OpenTelemetry for the server: the orchestrator's meter and spans (<see cref="OrchestratorTelemetry"/>), ASP.NET Core's
/// and HttpClient's, sent to the exporters <see cref="TelemetryOptions.Exporters"/> names. docs/observability.md.
/// </summary>
public static class ServerTelemetry
{
    /// <summary>Adds the exporters configured under <c>Orchestrator:Telemetry</c>; nothing when none is.</summary>
    /// <exception cref="StartupRefusedException">An exporter name is not one of prometheus, otlp, console.</exception>
    public static TelemetryOptions AddServerTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.Exporters.FirstOrDefault(e => !TelemetryOptions.Known.Contains(e, StringComparer.OrdinalIgnoreCase)) is { } unknown)
            throw new StartupRefusedException($"Orchestrator did not start: {TelemetryOptions.SectionName}:Exporters names '{unknown}'; "
                + $"the exporters are {string.Join(", ", TelemetryOptions.Known)}.");
        if (options.Exporters.Count == 0) return options;

        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(options.ServiceName));
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(OrchestratorTelemetry.MeterName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
            if (options.Uses("prometheus")) metrics.AddPrometheusExporter();
            if (options.Uses("otlp")) metrics.AddOtlpExporter(o => Otlp(o, options));
            if (options.Uses("console")) metrics.AddConsoleExporter();
        });
        // Traces and logs have no pull exporter: with Prometheus alone they stay off.
        if (!options.Uses("otlp") && !options.Uses("console")) return options;
        otel.WithTracing(tracing =>
        {
            tracing.AddSource(OrchestratorTelemetry.ActivitySourceName)
                // Probes and scrapes would drown the traces of real work.
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path, options))
                .AddHttpClientInstrumentation();
            if (options.Uses("otlp")) tracing.AddOtlpExporter(o => Otlp(o, options));
            if (options.Uses("console")) tracing.AddConsoleExporter();
        });
        if (options.Uses("otlp"))
            otel.WithLogging(logs => logs.AddOtlpExporter(o => Otlp(o, options)), logging => logging.IncludeScopes = true);
        return options;
    }

    /// <summary>Maps the Prometheus scrape endpoint when the <c>prometheus</c> exporter is on.</summary>
    public static void MapServerTelemetry(this WebApplication app, TelemetryOptions options)
    {
        if (options.Uses("prometheus")) app.MapPrometheusScrapingEndpoint(options.MetricsPath).RequireRole(ApiRole.Read);
    }

    private static bool IsProbe(PathString path, TelemetryOptions options) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments(options.MetricsPath);

    private static void Otlp(OtlpExporterOptions o, TelemetryOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint)) o.Endpoint = new Uri(options.OtlpEndpoint);
        if (string.Equals(options.OtlpProtocol, "http/protobuf", StringComparison.OrdinalIgnoreCase)) o.Protocol = OtlpExportProtocol.HttpProtobuf;
    }
}
