using Orchestrator.Hosting;
using Orchestrator.Providers;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Tasks;

/// <summary>Per provider and model, a request is refused before anything is persisted, naming the field and the allowed values.</summary>
public sealed class TaskValidatorTests
{
    private static readonly TaskValidator Validator = new(new ProviderDirectory(new OrchestratorOptions
    {
        Providers =
        {
            ["dmxapi"] = new ProviderAccountOptions { Type = "dmxapi", ApiKey = "sk-x" },
            ["kling"] = new ProviderAccountOptions { Type = "kling", AccessKey = "ak", SecretKey = "sk" },
            ["chanjing"] = new ProviderAccountOptions { Type = "chanjing", AppId = "app", SecretKey = "secret" },
            ["chanjing-b"] = new ProviderAccountOptions { Type = "chanjing", AppId = "app-b", SecretKey = "secret-b", Qps = 2 },
        },
    }));

    private static TaskSubmission Image(string provider, string model = "kling-v2-1") =>
        new() { Provider = provider, Kind = "text-to-image", Model = model, Prompt = "a bowl of tangyuan" };

    private static IReadOnlyList<FieldError> Errors(TaskSubmission s) => Validator.Validate(s).Errors;

    [Theory]
    [InlineData("kling", 9, true)]
    [InlineData("kling", 10, false)]
    [InlineData("chanjing", 4, true)]
    [InlineData("chanjing", 5, false)]
    [InlineData("chanjing-b", 0, false)]
    public void Count_ranges_follow_the_provider(string provider, int count, bool ok)
    {
        var errors = Errors(Image(provider) with { Count = count });
        Assert.Equal(ok, errors.Count == 0);
        if (!ok) Assert.Contains(errors, e => e.Field == "count" && e.Message.Contains(provider.StartsWith("chanjing") ? "1 and 4" : "1 and 9"));
    }

    [Fact]
    public void Kling_v2_1_on_chanjing_refuses_a_reference_image()
    {
        var e = Assert.Single(Errors(Image("chanjing") with { ImageUrl = "https://img.test/a.jpg" }));
        Assert.Equal("imageUrl", e.Field);
        Assert.Empty(Errors(Image("chanjing", "doubao-seedream-4.0") with { ImageUrl = "https://img.test/a.jpg" }));
    }

    [Fact]
    public void Aspect_ratios_name_the_allowed_values()
    {
        var e = Assert.Single(Errors(Image("kling") with { AspectRatio = "5:4" }));
        Assert.Equal("aspectRatio", e.Field);
        Assert.Contains("21:9", e.Message);
        Assert.Empty(Errors(Image("kling") with { AspectRatio = "21:9" }));
        Assert.Single(Errors(Image("dmxapi") with { AspectRatio = "21:9" }));
    }

    [Fact]
    public void Video_rules_duration_mode_cfg_scale_and_camera_control()
    {
        var video = new TaskSubmission { Provider = "kling", Kind = "text-to-video", Model = "kling-v1", Prompt = "p" };
        Assert.Empty(Errors(video with { DurationSeconds = 10, Mode = "pro", CfgScale = 0.5, CameraControl = new CameraControl("simple", new CameraConfig(Zoom: -3)) }));
        Assert.Equal("durationSeconds", Assert.Single(Errors(video with { DurationSeconds = 7 })).Field);
        Assert.Equal("mode", Assert.Single(Errors(video with { Mode = "ultra" })).Field);
        Assert.Equal("cfgScale", Assert.Single(Errors(video with { CfgScale = -0.1 })).Field);
        Assert.Equal("cameraControl.config", Assert.Single(Errors(video with { CameraControl = new CameraControl("simple", new CameraConfig(Pan: 1, Tilt: 1)) })).Field);
        Assert.Equal("cameraControl.config", Assert.Single(Errors(video with { CameraControl = new CameraControl("down_back", new CameraConfig(Pan: 1)) })).Field);
        Assert.Equal("cameraControl.config", Assert.Single(Errors(video with { CameraControl = new CameraControl("simple", new CameraConfig(Roll: 11)) })).Field);
        Assert.Equal("cameraControl.type", Assert.Single(Errors(video with { CameraControl = new CameraControl("spin", null) })).Field);
    }

    [Fact]
    public void Image_to_video_needs_an_image_and_the_relay_does_not_offer_it()
    {
        var i2v = new TaskSubmission { Provider = "kling", Kind = "image-to-video", Model = "kling-v1", Prompt = "p" };
        Assert.Equal("imageUrl", Assert.Single(Errors(i2v)).Field);
        Assert.Equal("imageUrl", Assert.Single(Errors(i2v with { ImageUrl = "ftp://x/y.png" })).Field);
        Assert.Empty(Errors(i2v with { ImageUrl = "https://img.test/start.png" }));
        Assert.Equal("kind", Assert.Single(Errors(i2v with { Provider = "dmxapi", ImageUrl = "https://img.test/start.png" })).Field);
    }

    [Fact]
    public void Image_only_fields_on_a_video_are_named()
    {
        var video = new TaskSubmission { Provider = "chanjing", Kind = "text-to-video", Model = "kling-v2-5-turbo-normal", Prompt = "p" };
        Assert.Equal("count", Assert.Single(Errors(video with { Count = 2 })).Field);
        Assert.Equal("resolution", Assert.Single(Errors(video with { Resolution = "2k" })).Field);
        Assert.Equal("cameraControl", Assert.Single(Errors(video with { CameraControl = new CameraControl("down_back", null) })).Field);
    }

    [Theory]
    [InlineData("kling", "text-to-video", "kling-v2-master", true)]
    [InlineData("kling", "text-to-video", "kling-v1-5", false)]
    [InlineData("kling", "image-to-video", "kling-v1-5", true)]
    [InlineData("dmxapi", "text-to-image", "kling-v2-new", true)]
    [InlineData("dmxapi", "text-to-video", "dall-e-3", false)]
    [InlineData("chanjing", "text-to-image", "doubao-seedream-3.0-t2i", true)]
    [InlineData("chanjing", "text-to-image", "kling-v1-6", false)]
    [InlineData("chanjing", "image-to-video", "tx_kling-v2-1-master", true)]
    [InlineData("simulator", "text-to-image", "doubao-seedream-4.0", true)]
    [InlineData("simulator", "text-to-video", "kling-v2-5-turbo", true)]
    [InlineData("simulator", "text-to-video", "dall-e-3", false)]
    public void A_model_is_one_the_provider_documents_for_the_kind(string provider, string kind, string model, bool ok)
    {
        var s = new TaskSubmission { Provider = provider, Kind = kind, Model = model, Prompt = "p", ImageUrl = kind == "image-to-video" ? "https://img.test/a.png" : null };
        // The default simulator account here has no base URL, so only the model's own verdict is compared.
        Assert.Equal(ok, !Errors(s).Any(e => e.Field == "model"));
    }

    [Fact]
    public void An_unknown_model_names_the_known_ones_and_the_setting_that_adds_one()
    {
        var e = Assert.Single(Errors(new TaskSubmission { Provider = "chanjing", Kind = "text-to-video", Model = "kling-v1", Prompt = "p" }));
        Assert.Equal("model", e.Field);
        Assert.Contains("'kling-v1'", e.Message);
        Assert.Contains("kling-v2-5-turbo-normal, tx_kling-v2-1-master", e.Message);
        Assert.Contains("Orchestrator:Providers:chanjing:ExtraModels:text-to-video", e.Message);
        Assert.Contains("did you mean 'kling-v2-1'", Assert.Single(Errors(Image("kling", "Kling-V2-1"))).Message);
        Assert.Contains("One of: kling-v1, kling-v1-5", Assert.Single(Errors(Image("kling", ""))).Message);
    }

    [Fact]
    public void Extra_models_extend_only_the_account_that_lists_them()
    {
        var directory = new ProviderDirectory(new OrchestratorOptions
        {
            Providers =
            {
                ["kling"] = new ProviderAccountOptions { Type = "kling", AccessKey = "ak", SecretKey = "sk" },
                ["kling-new"] = new ProviderAccountOptions
                {
                    Type = "kling", AccessKey = "ak", SecretKey = "sk", ExtraModels = { ["text-to-video"] = ["kling-v3", " kling-v1 "] },
                },
            },
        });
        var validator = new TaskValidator(directory);
        var video = new TaskSubmission { Provider = "kling-new", Kind = "text-to-video", Model = "kling-v3", Prompt = "p" };
        Assert.Empty(validator.Validate(video).Errors);
        Assert.Equal("model", Assert.Single(validator.Validate(video with { Provider = "kling" }).Errors).Field);
        Assert.Equal("model", Assert.Single(validator.Validate(video with { Kind = "text-to-image" }).Errors).Field);
        var models = directory.Find("kling-new")!.ModelsFor(GenerationKind.TextToVideo);
        Assert.Equal(1, models.Count(m => m == "kling-v1"));
        Assert.Equal("kling-v3", models[^1]);
    }

    [Theory]
    [InlineData("text-to-vidoe")]
    [InlineData("image-to-video")]
    public void Extra_models_under_a_kind_the_account_does_not_take_disable_it_naming_the_setting(string kind)
    {
        var directory = new ProviderDirectory(new OrchestratorOptions
        {
            Providers = { ["dmxapi"] = new ProviderAccountOptions { Type = "dmxapi", ApiKey = "sk-x", ExtraModels = { [kind] = ["kling-v3"] } } },
        });
        var reason = directory.Find("dmxapi")!.DisabledReason;
        Assert.Contains($"'{kind}' in Orchestrator:Providers:dmxapi:ExtraModels", reason);
        Assert.Contains("text-to-image, text-to-video", reason);
    }

    [Fact]
    public void Each_account_of_one_provider_is_its_own_provider_name()
    {
        var (request, errors) = Validator.Validate(Image("chanjing-b"));
        Assert.Empty(errors);
        Assert.Equal("chanjing-b", request!.Provider);
    }
}
