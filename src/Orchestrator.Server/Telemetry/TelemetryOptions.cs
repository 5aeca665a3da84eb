namespace Orchestrator.Server.Telemetry;

/// <summary>
/// <c>Orchestrator:Telemetry</c>: where the server's metrics, traces and logs go. No exporter by default: the meter and
/// spans cost next to nothing until something listens.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Orchestrator:Telemetry";

    /// <summary>Any of <c>prometheus</c> (a scrape endpoint at <see cref="MetricsPath"/>), <c>otlp</c> (metrics, traces and logs), <c>console</c>.</summary>
    public List<string> Exporters { get; set; } = [];

    /// <summary>The OTLP collector (default <c>http://localhost:4317</c>, or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>Where Prometheus scrapes (with a <c>read</c> key when keys are configured).</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>The <c>service.name</c> of every signal.</summary>
    public string ServiceName { get; set; } = "orchestrator";

    internal bool Uses(string exporter) => Exporters.Any(e => e.Equals(exporter, StringComparison.OrdinalIgnoreCase));

    internal static readonly string[] Known = ["prometheus", "otlp", "console"];
}
