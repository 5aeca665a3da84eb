namespace Orchestrator.Telemetry;

/// <summary>
/// The names an embedding host subscribes to for the orchestrator's telemetry. The library depends on no telemetry SDK:
/// it writes to a <see cref="System.Diagnostics.Metrics.Meter"/> and an <see cref="System.Diagnostics.ActivitySource"/>
/// of these names, which OpenTelemetry (<c>AddMeter</c>, <c>AddSource</c>) or any <c>MeterListener</c> reads.
/// docs/observability.md lists every instrument and span.
/// </summary>
public static class OrchestratorTelemetry
{
    /// <summary>The meter of every orchestrator metric (<c>orchestrator.*</c>).</summary>
    public const string MeterName = "Orchestrator";

    /// <summary>The activity source of the provider-call and webhook-delivery spans.</summary>
    public const string ActivitySourceName = "Orchestrator";
}
