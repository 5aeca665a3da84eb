using Orchestrator.Tasks;

using Orchestrator.Hosting;

namespace Orchestrator.Providers;

/// <summary>What one provider type accepts, checked before anything is persisted.</summary>
internal sealed record ProviderRules
{
    public required IReadOnlySet<GenerationKind> Kinds { get; init; }
    public required int MaxCount { get; init; }
    public int MaxPromptLength { get; init; } = 2500;
    public required IReadOnlyList<string> ImageAspectRatios { get; init; }
    public required IReadOnlyList<string> VideoAspectRatios { get; init; }
    public IReadOnlyList<int> VideoDurations { get; init; } = [5, 10];
    public IReadOnlyList<string> OutputFormats { get; init; } = ["png", "jpg"];
    public IReadOnlyList<string> Modes { get; init; } = ["std", "pro"];
    public bool SupportsCameraControl { get; init; } = true;
    public IReadOnlyList<string> Resolutions { get; init; } = ["1k", "2k"];
    /// <summary>Models that refuse a reference image (Chanjing's kling-v2-1).</summary>
    public IReadOnlySet<string> ModelsWithoutReferenceImage { get; init; } = new HashSet<string>();
    /// <summary>
    /// The models the provider documents, per kind. An account adds models released since with
    /// <see cref="Hosting.ProviderAccountOptions.ExtraModels"/>; any other name is refused before it reaches the provider.
    /// </summary>
    public required IReadOnlyDictionary<GenerationKind, IReadOnlyList<string>> Models { get; init; }
}

/// <summary>
/// A provider type: its rules, the settings an account of it must have, how its client is made and how its callback body reads.
/// Adding a provider is one folder plus one entry in <see cref="ProviderTypes.All"/>.
/// </summary>
internal sealed record ProviderType(
    string Name,
    ProviderRules Rules,
    IReadOnlyList<string> RequiredSettings,
    Func<ProviderAccountOptions, string?> DefaultBaseUrl,
    Func<ProviderClientContext, IProviderClient> CreateClient,
    Func<System.Text.Json.JsonElement, ProviderTaskSnapshot?> ParseCallback);

/// <summary>What a provider client is made from.</summary>
/// <param name="Account">The account the client calls.</param>
/// <param name="Http">The account's HTTP client.</param>
/// <param name="Clock">The orchestrator's clock.</param>
/// <param name="Gate">Where the client's own calls (token fetches) take throttle permits.</param>
/// <param name="SharedChanjingTokens">Cluster mode: the Chanjing token owners of the cluster, one per account; null on a single node.</param>
internal sealed record ProviderClientContext(ProviderAccount Account, HttpClient Http, TimeProvider Clock, IPermitGate Gate,
    Func<string, Chanjing.IChanjingTokens>? SharedChanjingTokens = null);
