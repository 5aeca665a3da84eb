using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Cli.Display;
using Orchestrator.Contracts;
using Orchestrator.Tasks;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>submit</c>: one task from flags, as the API's request record (<see cref="TaskSubmission"/>). Only the flags given
/// are sent, so the server's defaults and its validation (which names each bad field) stay the single source of truth.
/// </summary>
public static class SubmitCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("submit", "Submit one task (POST /v1/tasks).");
        var provider = new Option<string?>("--provider") { Description = "Provider account, e.g. simulator, dmxapi, kling, chanjing." };
        var kind = new Option<string?>("--kind") { Description = "text-to-image, text-to-video or image-to-video." };
        var model = new Option<string?>("--model") { Description = "The provider's model, e.g. kling-v1-5." };
        var prompt = new Option<string?>("--prompt") { Description = "What to generate." };
        var negativePrompt = new Option<string?>("--negative-prompt") { Description = "What to avoid." };
        var aspectRatio = new Option<string?>("--aspect-ratio") { Description = "e.g. 16:9, 1:1." };
        var resolution = new Option<string?>("--resolution") { Description = "e.g. 1k, 2k." };
        var outputFormat = new Option<string?>("--output-format") { Description = "e.g. png, jpg." };
        var mode = new Option<string?>("--mode") { Description = "Video mode: std or pro." };
        var imageUrl = new Option<string?>("--image-url") { Description = "Source image for image-to-video." };
        var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "Submitting the same key again returns the existing task." };
        var count = new Option<int?>("--count") { Description = "Number of images." };
        var duration = new Option<int?>("--duration-seconds") { Description = "Video length: 5 or 10." };
        var cfgScale = new Option<double?>("--cfg-scale") { Description = "Prompt adherence, 0–1." };
        var deadline = new Option<int?>("--deadline-seconds") { Description = "End the task as timed_out after this long." };
        var camera = new Option<string?>("--camera-control") { Description = "Camera control as JSON, e.g. '{\"type\":\"simple\",\"config\":{\"zoom\":5}}'.", HelpName = "json" };
        var metadata = new Option<string[]>("--metadata") { Description = "key=value, repeatable (tenant=acme routes fairness).", HelpName = "key=value" };
        metadata.Validators.Add(MustBePairs);
        var wait = TaskWaiting.WaitOption("Wait until the task ends and print its final view (exit 2 unless it succeeded).");
        var interval = TaskWaiting.IntervalOption();

        foreach (var option in new Option[] { provider, kind, model, prompt, negativePrompt, aspectRatio, resolution, outputFormat, mode, imageUrl,
                     idempotencyKey, count, duration, cfgScale, deadline, camera, metadata, wait, interval })
            command.Options.Add(option);

        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var request = new TaskSubmission
            {
                Provider = ctx.Get(provider), Kind = ctx.Get(kind), Model = ctx.Get(model), Prompt = ctx.Get(prompt),
                NegativePrompt = ctx.Get(negativePrompt), AspectRatio = ctx.Get(aspectRatio), Resolution = ctx.Get(resolution),
                Count = ctx.Get(count), OutputFormat = ctx.Get(outputFormat), DurationSeconds = ctx.Get(duration), Mode = ctx.Get(mode),
                CfgScale = ctx.Get(cfgScale), CameraControl = ctx.Get(camera) is { } cam ? ParseCamera(cam) : null, ImageUrl = ctx.Get(imageUrl),
                IdempotencyKey = ctx.Get(idempotencyKey), Metadata = ctx.Get(metadata) is { Length: > 0 } pairs ? ToDictionary(pairs) : null,
                DeadlineSeconds = ctx.Get(deadline),
            };

            var (task, created) = await ctx.Client.SubmitAsync(request, ctx.Cancel);
            if (!ctx.Get(wait))
            {
                ctx.Output.Result(task.Document, () => (created ? "" : "(an existing task with this idempotency key)\n") + TaskText.Block(task.Value));
                return ExitCodes.Success;
            }
            ctx.Output.Info($"task {task.Value.Id} {(created ? "accepted" : "exists")}; waiting for it to end…");
            var final = await TaskWaiting.UntilEndedAsync(ctx, task, ctx.Get(interval));
            ctx.Output.Result(final.Document, () => TaskText.Block(final.Value));
            return final.Value.Succeeded ? ExitCodes.Success : ExitCodes.PartialFailure;
        }));
        return command;
    }

    private static void MustBePairs(OptionResult result)
    {
        foreach (var token in result.Tokens)
            if (token.Value.IndexOf('=') <= 0)
                result.AddError($"--metadata expects key=value, got '{token.Value}'.");
    }

    private static Dictionary<string, string> ToDictionary(IEnumerable<string> pairs)
    {
        var d = new Dictionary<string, string>();
        foreach (var pair in pairs)
        {
            var at = pair.IndexOf('=');
            d[pair[..at]] = pair[(at + 1)..];
        }
        return d;
    }

    // Read as strictly as the server reads a body: a misspelt field or a number in quotes is named, not dropped.
    private static readonly JsonSerializerOptions CameraJson = new(WireJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    private static CameraControl? ParseCamera(string text)
    {
        try { return JsonSerializer.Deserialize<CameraControl>(text, CameraJson); }
        catch (JsonException ex) { throw new UsageException($"--camera-control is not a camera control: {ex.Message}"); }
    }
}
