using Orchestrator.Tasks;

namespace Orchestrator.Providers.Chanjing;

/// <summary>What Chanjing's ai_creation accepts (seed 002): 1–4 images, 1k/2k clarity, one reference image except on kling-v2-1.</summary>
public static class ChanjingRules
{
    public static readonly ProviderRules Rules = new()
    {
        Kinds = new HashSet<GenerationKind> { GenerationKind.TextToImage, GenerationKind.TextToVideo, GenerationKind.ImageToVideo },
        MaxCount = 4,
        ImageAspectRatios = ["1:1", "3:4", "4:3", "9:16", "16:9"],
        VideoAspectRatios = ["16:9", "9:16", "1:1"],
        OutputFormats = [],
        SupportsCameraControl = false,
        ModelsWithoutReferenceImage = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "kling-v2-1" },
    };
}
