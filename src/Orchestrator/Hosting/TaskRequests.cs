using Orchestrator.Tasks;

namespace Orchestrator.Hosting;

/// <summary>
/// A typed task request for code that embeds the orchestrator: one record per kind, with only that kind's fields.
/// Validated exactly as the HTTP API validates its body (<see cref="TaskValidationException"/> names the field).
/// </summary>
public abstract record TaskRequest
{
    /// <summary>The provider account the task is sent to, e.g. <c>simulator</c> or <c>dmxapi</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>The provider's model name, e.g. <c>kling-v1-5</c>.</summary>
    public required string Model { get; init; }

    /// <summary>The prompt.</summary>
    public required string Prompt { get; init; }

    /// <summary>What to keep out of the result.</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>Caller's key: submitting the same key twice yields the same task.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Free-form labels kept with the task; <c>tenant</c> also shares the account fairly between tenants.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Seconds after acceptance at which the task ends <c>timed_out</c>; null uses the kind's default.</summary>
    public int? DeadlineSeconds { get; init; }

    /// <summary>The same request in the HTTP API's shape.</summary>
    public abstract TaskSubmission ToSubmission();

    /// <summary>The fields every kind shares, for the kinds' <see cref="ToSubmission"/>.</summary>
    protected TaskSubmission Common(string kind) => new()
    {
        Provider = Provider, Kind = kind, Model = Model, Prompt = Prompt, NegativePrompt = NegativePrompt,
        IdempotencyKey = IdempotencyKey, Metadata = Metadata is null ? null : new Dictionary<string, string>(Metadata), DeadlineSeconds = DeadlineSeconds,
    };
}

/// <summary>Images from a prompt (<c>text-to-image</c>).</summary>
public sealed record TextToImageRequest : TaskRequest
{
    /// <summary>Number of images, 1–9 (Kling) or 1–4 (Chanjing).</summary>
    public int? Count { get; init; }

    /// <summary>Aspect ratio such as <c>16:9</c>.</summary>
    public string? AspectRatio { get; init; }

    /// <summary><c>1k</c> or <c>2k</c>.</summary>
    public string? Resolution { get; init; }

    /// <summary><c>png</c> or <c>jpg</c>.</summary>
    public string? OutputFormat { get; init; }

    /// <inheritdoc />
    public override TaskSubmission ToSubmission() => Common("text-to-image") with
    {
        Count = Count, AspectRatio = AspectRatio, Resolution = Resolution, OutputFormat = OutputFormat,
    };
}

/// <summary>A video from a prompt (<c>text-to-video</c>).</summary>
public sealed record TextToVideoRequest : TaskRequest
{
    /// <summary>Length in seconds (5 or 10).</summary>
    public int? DurationSeconds { get; init; }

    /// <summary>Aspect ratio such as <c>16:9</c>.</summary>
    public string? AspectRatio { get; init; }

    /// <summary><c>std</c> or <c>pro</c>.</summary>
    public string? Mode { get; init; }

    /// <summary>Freedom of the generation, 0..1.</summary>
    public double? CfgScale { get; init; }

    /// <summary>Camera movement.</summary>
    public CameraControl? CameraControl { get; init; }

    /// <inheritdoc />
    public override TaskSubmission ToSubmission() => Common("text-to-video") with
    {
        DurationSeconds = DurationSeconds, AspectRatio = AspectRatio, Mode = Mode, CfgScale = CfgScale, CameraControl = CameraControl,
    };
}

/// <summary>A video from a start image and a prompt (<c>image-to-video</c>).</summary>
public sealed record ImageToVideoRequest : TaskRequest
{
    /// <summary>The start image's URL.</summary>
    public required string ImageUrl { get; init; }

    /// <summary>Length in seconds (5 or 10).</summary>
    public int? DurationSeconds { get; init; }

    /// <summary><c>std</c> or <c>pro</c>.</summary>
    public string? Mode { get; init; }

    /// <summary>Freedom of the generation, 0..1.</summary>
    public double? CfgScale { get; init; }

    /// <inheritdoc />
    public override TaskSubmission ToSubmission() => Common("image-to-video") with
    {
        ImageUrl = ImageUrl, DurationSeconds = DurationSeconds, Mode = Mode, CfgScale = CfgScale,
    };
}

/// <summary>The typed-request overloads of <see cref="IOrchestrator"/>.</summary>
public static class OrchestratorExtensions
{
    /// <summary>Validates and durably accepts a typed request; see <see cref="IOrchestrator.SubmitAsync"/>.</summary>
    /// <exception cref="TaskValidationException">A field is invalid; nothing was persisted.</exception>
    public static async Task<TaskView> SubmitAsync(this IOrchestrator orchestrator, TaskRequest request, CancellationToken ct = default) =>
        (await orchestrator.SubmitAsync(request.ToSubmission(), ct)).View;

    /// <summary>Streams typed requests with back-pressure; see <see cref="IOrchestrator.SubmitManyAsync"/>.</summary>
    public static IAsyncEnumerable<Batches.TaskSubmitResult> SubmitManyAsync(this IOrchestrator orchestrator, IAsyncEnumerable<TaskRequest> requests, CancellationToken ct = default) =>
        orchestrator.SubmitManyAsync(Submissions(requests), ct);

    private static async IAsyncEnumerable<TaskSubmission> Submissions(IAsyncEnumerable<TaskRequest> requests)
    {
        await foreach (var r in requests) yield return r.ToSubmission();
    }
}
