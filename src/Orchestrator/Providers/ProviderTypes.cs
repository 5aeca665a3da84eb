using Orchestrator.Providers.Chanjing;
using Orchestrator.Providers.Dmxapi;
using Orchestrator.Providers.Kling;

namespace Orchestrator.Providers;

/// <summary>The provider types the orchestrator speaks. One line per provider.</summary>
internal static class ProviderTypes
{
    public const string Simulator = "simulator";
    public const string Dmxapi = "dmxapi";
    public const string Kling = "kling";
    public const string Chanjing = "chanjing";

    public static readonly IReadOnlyDictionary<string, ProviderType> All = new Dictionary<string, ProviderType>(StringComparer.OrdinalIgnoreCase)
    {
        [Dmxapi] = new(Dmxapi, KlingRules.Relay, ["ApiKey"], _ => "https://www.dmxapi.cn", c => new DmxapiClient(c.Http, c.Account.Options.ApiKey!), KlingProtocol.ParseCallback),
        [Kling] = new(Kling, KlingRules.Official, ["AccessKey", "SecretKey"],
            o => string.Equals(o.Region, "beijing", StringComparison.OrdinalIgnoreCase) ? KlingClient.BeijingUrl : KlingClient.SingaporeUrl,
            c => new KlingClient(c.Http, new KlingJwt(c.Account.Options.AccessKey!, c.Account.Options.SecretKey!, c.Clock)), KlingProtocol.ParseCallback),
        [Chanjing] = new(Chanjing, ChanjingRules.Rules, ["AppId", "SecretKey"], _ => ChanjingClient.DefaultUrl, ChanjingClient.Create, ChanjingProtocol.ParseCallback),
        // The built-in simulator speaks the DMXAPI protocol; its key is not a secret.
        [Simulator] = new(Simulator, SimulatorRules.Rules, [], _ => null, c => new DmxapiClient(c.Http, c.Account.Options.ApiKey ?? "sim-key"), KlingProtocol.ParseCallback),
    };
}
