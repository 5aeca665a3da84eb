using System.Text.Json.Nodes;
using static Orchestrator.Simulator.RequestJson;

namespace Orchestrator.Simulator;

/// <summary>
/// Chanjing's ai_creation submit parameters (docs/providers.md, Chanjing). A problem is answered code 40000
/// (parameter error) with the field named; only a body that is not a JSON object gets 400 (format error).
/// </summary>
internal static class ChanjingValidation
{
    public const string Endpoint = "/open/v1/ai_creation/task/submit";
    private const int MaxPrompt = 2500; // not documented by Chanjing; Kling's own limit, which it forwards to

    private static readonly string[] ImageRatios = ["1:1", "3:4", "4:3", "9:16", "16:9", "3:2", "2:3", "21:9"];
    private static readonly string[] VideoRatios = ["1:1", "9:16", "16:9"];

    public static string? Problem(JsonObject b)
    {
        if (!TryInt(b["creation_type"], out var type) || type is not (3 or 4)) return "creation_type must be 3 (image) or 4 (video)";
        if (!TryString(b["model_code"], out var model) || string.IsNullOrWhiteSpace(model)) return "model_code is required";
        if (!IsAbsentOrString(b["ref_prompt"], MaxPrompt)) return $"ref_prompt must be a string of at most {MaxPrompt} characters";
        var images = 0;
        if (b["ref_img_url"] is { } refs)
        {
            if (refs is not JsonArray list || list.Any(u => !TryString(u, out _))) return "ref_img_url must be an array of URLs";
            if ((images = list.Count) > 1) return "ref_img_url accepts at most 1 image";
            if (images > 0 && model == "kling-v2-1") return "kling-v2-1 does not accept ref_img_url";
        }
        if (images == 0 && (!TryString(b["ref_prompt"], out var prompt) || string.IsNullOrWhiteSpace(prompt))) return "ref_prompt is required";
        if (!IsAbsentOrOneOf(b["aspect_ratio"], type == 3 ? ImageRatios : VideoRatios)) return "aspect_ratio is not supported";
        if (!IsAbsentOrOneOf(b["quality_mode"], "std", "pro")) return "quality_mode must be std or pro";
        if (!IsAbsentOrString(b["callback"])) return "callback must be a URL string";
        if (type == 3)
        {
            if (b["clarity"] is { } c && (!TryInt(c, out var clarity) || clarity is not (1024 or 2048))) return "clarity must be 1024 or 2048";
            if (b["number_of_images"] is { } n && (!TryInt(n, out var count) || count is < 1 or > 4)) return "number_of_images must be an integer in [1, 4]";
        }
        else if (b["video_duration"] is { } d && ClipSeconds(d) is null)
        {
            return "video_duration must be 5 or 10";
        }
        return null;
    }

    public static TaskRequest ToRequest(JsonObject b, string filesBase)
    {
        var isImage = TryInt(b["creation_type"], out var type) && type == 3;
        TryString(b["model_code"], out var model);
        var count = isImage && TryInt(b["number_of_images"], out var n) ? n : 1;
        var ratio = TryString(b["aspect_ratio"], out var r) ? r : "1:1";
        var clip = b["video_duration"] is { } d ? ClipSeconds(d) ?? 5 : 5;
        TryString(b["callback"], out var callback);
        return new TaskRequest(isImage ? "image" : "video", count, Endpoint, model, ratio, clip, null, callback, filesBase);
    }

    // Undocumented type: clients send it as a number or a string, so both are accepted.
    private static int? ClipSeconds(JsonNode d) =>
        TryInt(d, out var i) && i is 5 or 10 ? i
        : TryString(d, out var s) && s is "5" or "10" ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)
        : null;
}
