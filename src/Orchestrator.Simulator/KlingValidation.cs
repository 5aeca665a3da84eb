using System.Text.Json.Nodes;
using static Orchestrator.Simulator.RequestJson;

namespace Orchestrator.Simulator;

/// <summary>
/// Kling's create parameters (docs/providers.md, Kling), checked as the provider does: a problem is answered
/// HTTP 400 code 1201 with a message naming the field. Optional fields are only checked when present.
/// </summary>
internal static class KlingValidation
{
    public const string Images = "/v1/images/generations";
    public const string TextToVideo = "/v1/videos/text2video";
    public const string ImageToVideo = "/v1/videos/image2video";
    private const int MaxPrompt = 2500;

    private static readonly string[] ImageRatios = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9"];
    private static readonly string[] VideoRatios = ["16:9", "9:16", "1:1"];
    private static readonly string[] CameraTypes = ["simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward"];
    private static readonly string[] CameraAxes = ["horizontal", "vertical", "pan", "tilt", "roll", "zoom"];

    /// <summary>What is wrong with the body for <paramref name="path"/>, or null when Kling would accept it.</summary>
    public static string? Problem(string path, JsonObject b)
    {
        if (!TryString(b["model_name"], out var model) || string.IsNullOrWhiteSpace(model)) return "model_name is required";
        // image2video may animate the image alone; the other two need a prompt.
        if (path != ImageToVideo && (!TryString(b["prompt"], out var prompt) || string.IsNullOrWhiteSpace(prompt))) return "prompt is required";
        if (!IsAbsentOrString(b["prompt"], MaxPrompt)) return $"prompt must be a string of at most {MaxPrompt} characters";
        if (!IsAbsentOrString(b["negative_prompt"], MaxPrompt)) return $"negative_prompt must be a string of at most {MaxPrompt} characters";
        if (!IsAbsentOrString(b["callback_url"])) return "callback_url must be a string";
        if (!IsAbsentOrString(b["external_task_id"])) return "external_task_id must be a string";
        return path == Images ? ImageProblem(b) : VideoProblem(path, b);
    }

    private static string? ImageProblem(JsonObject b)
    {
        if (b["n"] is { } n && (!TryInt(n, out var count) || count is < 1 or > 9)) return "n must be an integer in [1, 9]";
        if (!IsAbsentOrOneOf(b["aspect_ratio"], ImageRatios)) return "aspect_ratio must be one of " + string.Join(", ", ImageRatios);
        if (!IsAbsentOrOneOf(b["resolution"], "1k", "2k")) return "resolution must be 1k or 2k";
        if (!IsAbsentOrOneOf(b["output_format"], "png", "jpg")) return "output_format must be png or jpg";
        if (!IsAbsentOrInRange(b["image_fidelity"], 0, 1)) return "image_fidelity must be a number in [0, 1]";
        if (!IsAbsentOrInRange(b["human_fidelity"], 0, 1)) return "human_fidelity must be a number in [0, 1]";
        return IsAbsentOrString(b["image"]) ? null : "image must be a string";
    }

    private static string? VideoProblem(string path, JsonObject b)
    {
        if (!IsAbsentOrInRange(b["cfg_scale"], 0, 1)) return "cfg_scale must be a number in [0, 1]";
        if (!IsAbsentOrOneOf(b["mode"], "std", "pro")) return "mode must be std or pro";
        if (!IsAbsentOrOneOf(b["aspect_ratio"], VideoRatios)) return "aspect_ratio must be one of " + string.Join(", ", VideoRatios);
        if (!IsAbsentOrOneOf(b["duration"], "5", "10")) return "duration must be the string \"5\" or \"10\"";
        if (b["camera_control"] is { } camera && CameraProblem(camera) is { } cameraProblem) return cameraProblem;
        if (path != ImageToVideo) return null;
        if (!TryString(b["image"], out var image) || string.IsNullOrWhiteSpace(image)) return "image is required";
        if (!IsAbsentOrString(b["image_tail"])) return "image_tail must be a string";
        var controls = (b["image_tail"] is null ? 0 : 1) + (b["static_mask"] is null && b["dynamic_masks"] is null ? 0 : 1)
            + (b["camera_control"] is null ? 0 : 1);
        return controls > 1 ? "image_tail, masks and camera_control cannot be used together" : null;
    }

    private static string? CameraProblem(JsonNode camera)
    {
        if (camera is not JsonObject c || !TryString(c["type"], out var type) || !CameraTypes.Contains(type))
            return "camera_control.type must be one of " + string.Join(", ", CameraTypes);
        if (type != "simple") return c["config"] is null ? null : "camera_control.config is only allowed with type simple";
        if (c["config"] is not JsonObject config) return "camera_control.config is required with type simple";
        var nonZero = 0;
        foreach (var axis in CameraAxes)
        {
            if (config[axis] is null) continue;
            if (!TryNumber(config[axis], out var v) || v is < -10 or > 10) return $"camera_control.config.{axis} must be a number in [-10, 10]";
            if (v != 0) nonZero++;
        }
        return nonZero == 1 ? null : "camera_control.config must have exactly one non-zero value";
    }

    /// <summary>The task a valid body asks for.</summary>
    public static TaskRequest ToRequest(string path, JsonObject b, string filesBase)
    {
        var isImage = path == Images;
        TryString(b["model_name"], out var model);
        var count = isImage && TryInt(b["n"], out var n) ? n : 1;
        var ratio = TryString(b["aspect_ratio"], out var r) ? r : "16:9";
        var clip = TryString(b["duration"], out var d) && d == "10" ? 10 : 5;
        TryString(b["external_task_id"], out var external);
        TryString(b["callback_url"], out var callback);
        return new TaskRequest(isImage ? "image" : "video", count, path, model, ratio, clip, external, callback, filesBase);
    }
}
