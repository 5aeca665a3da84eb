using Orchestrator.Providers.Chanjing;
using Orchestrator.Providers.Kling;
using Orchestrator.Tasks;

namespace Orchestrator.Providers;

/// <summary>
/// The built-in simulator speaks the DMXAPI relay's protocol and takes any model the providers it stands in for
/// document (Kling's and Chanjing's), so a request meant for a real account can be tried on it first.
/// </summary>
internal static class SimulatorRules
{
    public static readonly ProviderRules Rules = KlingRules.Relay with
    {
        Models = KlingRules.Relay.Kinds.ToDictionary(
            kind => kind,
            kind => (IReadOnlyList<string>)[.. KlingRules.Models[kind].Union(ChanjingRules.Models[kind])]),
    };
}
