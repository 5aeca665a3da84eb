using Orchestrator.Providers;
using Orchestrator.Webhooks;

namespace Orchestrator.Tasks;

/// <summary>
/// Turns a <see cref="TaskSubmission"/> into a <see cref="GenerationRequest"/> or the list of fields that are wrong,
/// by the rules of the provider it names. Runs before anything is persisted. A <c>webhookUrl</c> follows the webhook
/// target policy (<paramref name="webhooks"/>: whether private or loopback targets are allowed; refused when not given).
/// </summary>
internal sealed class TaskValidator(ProviderDirectory providers, WebhookOptions? webhooks = null)
{
    public const int MaxMetadataEntries = 32;
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>What is wrong with an idempotency key (a task's, or a batch upload's header), or null: absent is fine.</summary>
    public static string? IdempotencyKeyProblem(string? key) =>
        key is { Length: 0 or > MaxIdempotencyKeyLength } ? $"Between 1 and {MaxIdempotencyKeyLength} characters." : null;

    public (GenerationRequest? Request, IReadOnlyList<FieldError> Errors) Validate(TaskSubmission s)
    {
        var errors = new List<FieldError>();
        void Fail(string field, string message) => errors.Add(new FieldError(field, message));

        ProviderAccount? account = null;
        if (string.IsNullOrWhiteSpace(s.Provider)) Fail("provider", $"Required. One of: {string.Join(", ", providers.Accounts.Select(a => a.Name))}.");
        else if ((account = providers.Find(s.Provider)) is null)
            Fail("provider", $"Unknown provider '{s.Provider}'. One of: {string.Join(", ", providers.Accounts.Select(a => a.Name))}.");
        else if (!account.Enabled) Fail("provider", account.DisabledReason!);

        GenerationKind? kind = null;
        if (string.IsNullOrWhiteSpace(s.Kind)) Fail("kind", "Required. One of: text-to-image, text-to-video, image-to-video.");
        else if (!GenerationKinds.ByWireName.TryGetValue(s.Kind, out var k)) Fail("kind", $"Unknown kind '{s.Kind}'. One of: text-to-image, text-to-video, image-to-video.");
        else kind = k;

        var rules = account?.Type.Rules;
        var models = account is not null && kind is { } mk && rules!.Kinds.Contains(mk) ? account.ModelsFor(mk) : null;
        if (string.IsNullOrWhiteSpace(s.Model)) Fail("model", models is null ? "Required, e.g. kling-v1-5." : $"Required. One of: {string.Join(", ", models)}.");
        else if (s.Model.Length > 100) Fail("model", "At most 100 characters.");
        else if (models is not null && !models.Contains(s.Model, StringComparer.Ordinal)) Fail("model", UnknownModel(s.Model, account!, kind!.Value, models));

        var maxPrompt = rules?.MaxPromptLength ?? 2500;
        if (string.IsNullOrWhiteSpace(s.Prompt)) Fail("prompt", "Required and not blank.");
        else if (s.Prompt.Length > maxPrompt) Fail("prompt", $"At most {maxPrompt} characters (got {s.Prompt.Length}).");
        if (s.NegativePrompt is { Length: > 2500 }) Fail("negativePrompt", "At most 2500 characters.");

        if (rules is not null && kind is { } kd)
        {
            if (!rules.Kinds.Contains(kd))
                Fail("kind", $"Provider '{account!.Name}' does not support '{kd.WireName()}'. Supported: {string.Join(", ", rules.Kinds.Select(x => x.WireName()))}.");
            ValidateForRules(s, kd, rules, Fail);
        }

        if (IdempotencyKeyProblem(s.IdempotencyKey) is { } keyProblem) Fail("idempotencyKey", keyProblem);
        if (s.Metadata is { } md)
        {
            if (md.Count > MaxMetadataEntries) Fail("metadata", $"At most {MaxMetadataEntries} entries.");
            foreach (var (key, value) in md)
            {
                if (key.Length is 0 or > 64) Fail($"metadata.{key}", "Keys are 1 to 64 characters.");
                if (value is null || value.Length > 512) Fail($"metadata.{key}", "Values are strings of at most 512 characters.");
            }
        }
        // Sent on to the provider and kept in the journal with the task: bounded like a webhookUrl.
        if (s.ImageUrl is { Length: > WebhookTargetPolicy.MaxUrlLength })
            Fail("imageUrl", $"At most {WebhookTargetPolicy.MaxUrlLength} characters (got {s.ImageUrl.Length}).");
        if (s.DeadlineSeconds is < 10 or > 7 * 86400) Fail("deadlineSeconds", "Between 10 and 604800 seconds.");
        if (s.WebhookUrl is not null && WebhookTargetPolicy.Check(s.WebhookUrl, webhooks?.AllowPrivateTargets ?? false, webhooks?.AllowLoopbackTargets ?? false) is { } webhookError)
            Fail("webhookUrl", webhookError);

        if (errors.Count > 0) return (null, errors);
        return (new GenerationRequest
        {
            Provider = account!.Name,
            Kind = kind!.Value,
            Model = s.Model!,
            Prompt = s.Prompt!,
            NegativePrompt = s.NegativePrompt,
            AspectRatio = s.AspectRatio,
            Resolution = s.Resolution,
            Count = s.Count,
            OutputFormat = s.OutputFormat,
            DurationSeconds = s.DurationSeconds,
            Mode = s.Mode,
            CfgScale = s.CfgScale,
            CameraControl = s.CameraControl,
            ImageUrl = s.ImageUrl,
            IdempotencyKey = s.IdempotencyKey,
            Metadata = s.Metadata,
            DeadlineSeconds = s.DeadlineSeconds,
            WebhookUrl = s.WebhookUrl,
            WebhookEveryState = s.WebhookEveryState && s.WebhookUrl is not null ? true : null,
        }, errors);
    }

    /// <summary>Names the models the account takes, and how to add one the provider released after this version.</summary>
    private static string UnknownModel(string model, ProviderAccount account, GenerationKind kind, IReadOnlyList<string> models)
    {
        var other = models.FirstOrDefault(m => string.Equals(m, model, StringComparison.OrdinalIgnoreCase));
        return (other is not null ? $"Model names are case-sensitive: did you mean '{other}'? " : $"Unknown model '{model}' for {kind.WireName()} on '{account.Name}'. ")
            + $"One of: {string.Join(", ", models)}. A newer model is added with Orchestrator:Providers:{account.Name}:ExtraModels:{kind.WireName()}.";
    }

    private static void ValidateForRules(TaskSubmission s, GenerationKind kind, ProviderRules rules, Action<string, string> fail)
    {
        var isImage = kind == GenerationKind.TextToImage;
        var ratios = isImage ? rules.ImageAspectRatios : rules.VideoAspectRatios;
        if (s.AspectRatio is not null && !ratios.Contains(s.AspectRatio))
            fail("aspectRatio", $"'{s.AspectRatio}' is not allowed for {kind.WireName()}. Allowed: {string.Join(", ", ratios)}.");
        if (s.Count is { } n)
        {
            if (!isImage) fail("count", "Only image tasks take a count.");
            else if (n < 1 || n > rules.MaxCount) fail("count", $"Between 1 and {rules.MaxCount} for this provider (got {n}).");
        }
        if (s.OutputFormat is not null && (!isImage || !rules.OutputFormats.Contains(s.OutputFormat)))
            fail("outputFormat", !isImage ? "Only image tasks take an output format."
                : rules.OutputFormats.Count == 0 ? "This provider does not take an output format." : $"One of: {string.Join(", ", rules.OutputFormats)}.");
        if (s.Resolution is not null && (!isImage || !rules.Resolutions.Contains(s.Resolution)))
            fail("resolution", isImage ? $"One of: {string.Join(", ", rules.Resolutions)}." : "Only image tasks take a resolution.");
        if (s.DurationSeconds is { } d && (isImage || !rules.VideoDurations.Contains(d)))
            fail("durationSeconds", isImage ? "Only video tasks take a duration." : $"One of: {string.Join(", ", rules.VideoDurations)}.");
        if (s.Mode is not null && (isImage || !rules.Modes.Contains(s.Mode)))
            fail("mode", isImage ? "Only video tasks take a mode." : $"One of: {string.Join(", ", rules.Modes)}.");
        if (s.CfgScale is { } cfg && (isImage || cfg < 0 || cfg > 1 || double.IsNaN(cfg)))
            fail("cfgScale", isImage ? "Only video tasks take cfgScale." : "Between 0 and 1.");
        if (s.CameraControl is { } cc)
        {
            if (isImage || !rules.SupportsCameraControl)
                fail("cameraControl", rules.SupportsCameraControl ? "Only video tasks take camera control." : "This provider does not take camera control.");
            else ValidateCamera(cc, fail);
            if (kind == GenerationKind.ImageToVideo) fail("cameraControl", "Not allowed together with an image (image-to-video).");
        }
        if (kind == GenerationKind.ImageToVideo && string.IsNullOrWhiteSpace(s.ImageUrl))
            fail("imageUrl", "Required for image-to-video.");
        if (s.ImageUrl is { Length: <= WebhookTargetPolicy.MaxUrlLength } && !(Uri.TryCreate(s.ImageUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
            fail("imageUrl", "An absolute http or https URL.");
        if (s.ImageUrl is not null && s.Model is not null && rules.ModelsWithoutReferenceImage.Contains(s.Model))
            fail("imageUrl", $"Model '{s.Model}' takes no reference image on this provider.");
    }

    private static readonly string[] CameraTypes = ["simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward"];

    private static void ValidateCamera(CameraControl cc, Action<string, string> fail)
    {
        if (!CameraTypes.Contains(cc.Type)) { fail("cameraControl.type", $"One of: {string.Join(", ", CameraTypes)}."); return; }
        if (cc.Type != "simple")
        {
            if (cc.Config is not null) fail("cameraControl.config", "Only allowed with type 'simple'.");
            return;
        }
        if (cc.Config is not { } c) { fail("cameraControl.config", "Required with type 'simple'."); return; }
        double[] axes = [c.Horizontal, c.Vertical, c.Pan, c.Tilt, c.Roll, c.Zoom];
        if (axes.Count(a => a != 0) != 1) fail("cameraControl.config", "Exactly one of horizontal, vertical, pan, tilt, roll, zoom must be non-zero.");
        if (axes.Any(a => a < -10 || a > 10 || double.IsNaN(a))) fail("cameraControl.config", "Each value is within [-10, 10].");
    }
}
