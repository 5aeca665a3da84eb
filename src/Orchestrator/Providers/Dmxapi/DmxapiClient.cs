using Orchestrator.Providers.Kling;

namespace Orchestrator.Providers.Dmxapi;

/// <summary>Kling through the DMXAPI relay (seeds 000, 001): Kling's paths under <c>/kling</c>, a static <c>sk-…</c> bearer key.</summary>
public sealed class DmxapiClient(HttpClient http, string apiKey) : KlingProtocolClient(http)
{
    protected override string PathPrefix => "/kling";
    protected override string BearerToken() => apiKey;
}
