namespace Orchestrator.Tasks;

/// <summary>An accepted request as the submission it came from, to be validated and accepted again (a batch retry).</summary>
internal static class Resubmission
{
    public static TaskSubmission Of(GenerationRequest r) => new()
    {
        Provider = r.Provider,
        Kind = r.Kind.WireName(),
        Model = r.Model,
        Prompt = r.Prompt,
        NegativePrompt = r.NegativePrompt,
        AspectRatio = r.AspectRatio,
        Resolution = r.Resolution,
        Count = r.Count,
        OutputFormat = r.OutputFormat,
        DurationSeconds = r.DurationSeconds,
        Mode = r.Mode,
        CfgScale = r.CfgScale,
        CameraControl = r.CameraControl,
        ImageUrl = r.ImageUrl,
        Metadata = r.Metadata?.ToDictionary(),
        DeadlineSeconds = r.DeadlineSeconds,
        WebhookUrl = r.WebhookUrl,
    };
}
