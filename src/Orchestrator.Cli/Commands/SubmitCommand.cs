using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Display;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>submit</c>: one task from flags. Only the flags given are sent, so the server's defaults and its validation
/// (which names each bad field) stay the single source of truth.
/// </summary>
public static class SubmitCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("submit", "Submit one task (POST /v1/tasks).");
        var strings = new (string Field, Option<string?> Option)[]
        {
            ("provider", new("--provider") { Description = "Provider account, e.g. simulator, dmxapi, kling, chanjing." }),
            ("kind", new("--kind") { Description = "text-to-image, text-to-video or image-to-video." }),
            ("model", new("--model") { Description = "The provider's model, e.g. kling-v1-5." }),
            ("prompt", new("--prompt") { Description = "What to generate." }),
            ("negativePrompt", new("--negative-prompt") { Description = "What to avoid." }),
            ("aspectRatio", new("--aspect-ratio") { Description = "e.g. 16:9, 1:1." }),
            ("resolution", new("--resolution") { Description = "e.g. 1k, 2k." }),
            ("outputFormat", new("--output-format") { Description = "e.g. png, jpg." }),
            ("mode", new("--mode") { Description = "Video mode: std or pro." }),
            ("imageUrl", new("--image-url") { Description = "Source image for image-to-video." }),
            ("idempotencyKey", new("--idempotency-key") { Description = "Submitting the same key again returns the existing task." }),
        };
        var count = new Option<int?>("--count") { Description = "Number of images." };
        var duration = new Option<int?>("--duration-seconds") { Description = "Video length: 5 or 10." };
        var cfgScale = new Option<double?>("--cfg-scale") { Description = "Prompt adherence, 0–1." };
        var deadline = new Option<int?>("--deadline-seconds") { Description = "End the task as timed_out after this long." };
        var camera = new Option<string?>("--camera-control") { Description = "Camera control as JSON, e.g. '{\"type\":\"simple\",\"config\":{\"zoom\":5}}'.", HelpName = "json" };
        var metadata = new Option<string[]>("--metadata") { Description = "key=value, repeatable (tenant=acme routes fairness).", HelpName = "key=value" };
        metadata.Validators.Add(MustBePairs);
        var wait = TaskWaiting.WaitOption("Wait until the task ends and print its final view (exit 2 unless it succeeded).");
        var interval = TaskWaiting.IntervalOption();

        foreach (var (_, option) in strings) command.Options.Add(option);
        foreach (var option in new Option[] { count, duration, cfgScale, deadline, camera, metadata, wait, interval }) command.Options.Add(option);

        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var request = new JsonObject();
            foreach (var (field, option) in strings)
                if (ctx.Get(option) is { } value) request[field] = value;
            if (ctx.Get(count) is { } c) request["count"] = c;
            if (ctx.Get(duration) is { } d) request["durationSeconds"] = d;
            if (ctx.Get(cfgScale) is { } s) request["cfgScale"] = s;
            if (ctx.Get(deadline) is { } dl) request["deadlineSeconds"] = dl;
            if (ctx.Get(camera) is { } cam) request["cameraControl"] = ParseJson(cam, "--camera-control");
            if (ctx.Get(metadata) is { Length: > 0 } pairs) request["metadata"] = ToObject(pairs);

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

    private static JsonObject ToObject(IEnumerable<string> pairs)
    {
        var o = new JsonObject();
        foreach (var pair in pairs)
        {
            var at = pair.IndexOf('=');
            o[pair[..at]] = pair[(at + 1)..];
        }
        return o;
    }

    private static JsonNode? ParseJson(string text, string flag)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException ex) { throw new UsageException($"{flag} is not valid JSON: {ex.Message}"); }
    }
}
