using Orchestrator.Tasks;

namespace Orchestrator.Providers.Kling;

/// <summary>Kling's documented parameter ranges (PROVIDERS.md §1), shared by the relay.</summary>
public static class KlingRules
{
    public static readonly ProviderRules Official = new()
    {
        Kinds = new HashSet<GenerationKind> { GenerationKind.TextToImage, GenerationKind.TextToVideo, GenerationKind.ImageToVideo },
        MaxCount = 9,
        ImageAspectRatios = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"],
        VideoAspectRatios = ["16:9", "9:16", "1:1"],
    };

    /// <summary>The DMXAPI relay documents text-to-image and text-to-video only (seeds 000, 001).</summary>
    public static readonly ProviderRules Relay = Official with
    {
        Kinds = new HashSet<GenerationKind> { GenerationKind.TextToImage, GenerationKind.TextToVideo },
        ImageAspectRatios = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3"],
    };
}
