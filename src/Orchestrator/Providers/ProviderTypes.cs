using Orchestrator.Providers.Dmxapi;
using Orchestrator.Providers.Kling;

namespace Orchestrator.Providers;

/// <summary>The provider types the orchestrator speaks. One line per provider.</summary>
public static class ProviderTypes
{
    public const string Simulator = "simulator";
    public const string Dmxapi = "dmxapi";

    public static readonly IReadOnlyDictionary<string, ProviderType> All = new Dictionary<string, ProviderType>(StringComparer.OrdinalIgnoreCase)
    {
        [Dmxapi] = new(Dmxapi, KlingRules.Relay, ["ApiKey"], "https://www.dmxapi.cn", (a, http) => new DmxapiClient(http, a.Options.ApiKey!)),
        // The built-in simulator speaks the DMXAPI protocol; its key is not a secret.
        [Simulator] = new(Simulator, KlingRules.Relay, [], null, (a, http) => new DmxapiClient(http, a.Options.ApiKey ?? "sim-key")),
    };
}
