using Orchestrator.Tasks;

namespace Orchestrator.Providers.Kling;

/// <summary>Kling's documented parameter ranges (docs/providers.md, Kling), shared by the relay.</summary>
internal static class KlingRules
{
    /// <summary>
    /// Kling's <c>model_name</c> values per endpoint (its API reference; DMXAPI's examples name kling-v1, kling-v1-5,
    /// kling-v2 for images and kling-v1, kling-v1-6 for videos). The relay passes them through unchanged.
    /// </summary>
    public static readonly IReadOnlyDictionary<GenerationKind, IReadOnlyList<string>> Models = new Dictionary<GenerationKind, IReadOnlyList<string>>
    {
        [GenerationKind.TextToImage] = ["kling-v1", "kling-v1-5", "kling-v2", "kling-v2-new", "kling-v2-1"],
        [GenerationKind.TextToVideo] = ["kling-v1", "kling-v1-6", "kling-v2-master", "kling-v2-1-master", "kling-v2-5-turbo"],
        [GenerationKind.ImageToVideo] = ["kling-v1", "kling-v1-5", "kling-v1-6", "kling-v2-master", "kling-v2-1", "kling-v2-1-master", "kling-v2-5-turbo"],
    };

    public static readonly ProviderRules Official = new()
    {
        Kinds = new HashSet<GenerationKind> { GenerationKind.TextToImage, GenerationKind.TextToVideo, GenerationKind.ImageToVideo },
        MaxCount = 9,
        ImageAspectRatios = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"],
        VideoAspectRatios = ["16:9", "9:16", "1:1"],
        Models = Models,
    };

    /// <summary>The DMXAPI relay documents text-to-image and text-to-video only (docs/providers.md, DMXAPI relay).</summary>
    public static readonly ProviderRules Relay = Official with
    {
        Kinds = new HashSet<GenerationKind> { GenerationKind.TextToImage, GenerationKind.TextToVideo },
        ImageAspectRatios = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3"],
    };
}
