using Orchestrator.Tasks;

namespace Orchestrator.Providers.Chanjing;

/// <summary>What Chanjing's ai_creation accepts (docs/providers.md, Chanjing): 1–4 images, 1k/2k clarity, one reference image except on kling-v2-1.</summary>
internal static class ChanjingRules
{
    /// <summary>
    /// Chanjing's <c>model_code</c> values whose bodies are the ones this client sends (ref_prompt, ref_img_url, clarity,
    /// number_of_images; quality_mode and video_duration for videos): Chanjing's ai_creation pages (docs/providers.md, Chanjing).
    /// A video model makes text-to-video without a reference image and image-to-video with one.
    /// </summary>
    public static readonly IReadOnlyDictionary<GenerationKind, IReadOnlyList<string>> Models = new Dictionary<GenerationKind, IReadOnlyList<string>>
    {
        [GenerationKind.TextToImage] = ["kling-v2-1", "doubao-seedream-4.0", "doubao-seedream-3.0-t2i"],
        [GenerationKind.TextToVideo] = ["kling-v2-5-turbo-normal", "tx_kling-v2-1-master"],
        [GenerationKind.ImageToVideo] = ["kling-v2-5-turbo-normal", "tx_kling-v2-1-master"],
    };

    public static readonly ProviderRules Rules = new()
    {
        Kinds = new HashSet<GenerationKind> { GenerationKind.TextToImage, GenerationKind.TextToVideo, GenerationKind.ImageToVideo },
        MaxCount = 4,
        ImageAspectRatios = ["1:1", "3:4", "4:3", "9:16", "16:9"],
        VideoAspectRatios = ["16:9", "9:16", "1:1"],
        OutputFormats = [],
        SupportsCameraControl = false,
        ModelsWithoutReferenceImage = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "kling-v2-1", "doubao-seedream-3.0-t2i" },
        Models = Models,
    };
}
