using Orchestrator.Providers.Kling;

namespace Orchestrator.Providers.Dmxapi;

/// <summary>Kling through the DMXAPI relay (docs/providers.md, DMXAPI relay): Kling's paths under <c>/kling</c>, a static <c>sk-…</c> bearer key.</summary>
internal sealed class DmxapiClient(HttpClient http, string apiKey) : KlingProtocolClient(http)
{
    protected override string PathPrefix => "/kling";
    protected override string BearerToken() => apiKey;
}
