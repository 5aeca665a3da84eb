using System.CommandLine;
using Orchestrator.Cli.Display;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>batch &lt;file&gt;</c>: posts a file of task requests to <c>POST /v1/batches</c>, streamed from disk (a file of
/// 100,000 lines is never held in memory), and reports accepted and rejected lines; <c>--wait</c> follows it to the end.
/// </summary>
public static class BatchCommand
{
    public static Command Create(GlobalOptions global)
    {
        var file = new Argument<FileInfo>("file") { Description = "Task requests: .jsonl/.ndjson (one JSON object a line) or .json (an array)." };
        var atomic = new Option<bool>("--atomic") { Description = "Accept all lines or none: any rejected line refuses the whole batch." };
        var wait = TaskWaiting.WaitOption("Follow the batch until every task has ended (live on a terminal, plain lines otherwise).");
        var interval = TaskWaiting.IntervalOption();
        var command = new Command("batch", "Submit a file of tasks as one batch (POST /v1/batches).") { file, atomic, wait, interval };

        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var path = ctx.Get(file);
            var mediaType = MediaTypeOf(path);
            if (!path.Exists) throw new UsageException($"no such file: {path.FullName}");

            await using var body = new FileStream(path.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            var (answer, document) = await ctx.Client.SubmitBatchAsync(body, mediaType, ctx.Get(atomic), ctx.Cancel);
            ctx.Output.Result(document, () => string.Join('\n', BatchText.Acceptance(answer)));
            if (answer.BatchId is not { } batchId)
            {
                ctx.Output.Fail(ctx.Get(atomic) && answer.RejectedTotal > 0
                    ? "the batch was refused whole (--atomic) because of the rejected lines above."
                    : "no line of the batch was accepted.");
                return ExitCodes.Error;
            }
            var someRejected = answer.RejectedTotal > 0;
            if (!ctx.Get(wait)) return someRejected ? ExitCodes.PartialFailure : ExitCodes.Success;

            var ended = await BatchWaiting.UntilEndedAsync(ctx, batchId, ctx.Get(interval));
            ctx.Output.Result(ended.Document, () => BatchText.Summary(ended.Value));
            return someRejected ? ExitCodes.PartialFailure : BatchWaiting.ExitCodeOf(ended.Value);
        }));
        return command;
    }

    private static string MediaTypeOf(FileInfo file) => file.Extension.ToLowerInvariant() switch
    {
        ".jsonl" or ".ndjson" => "application/x-ndjson",
        ".json" => "application/json",
        _ => throw new UsageException($"cannot tell the format of '{file.Name}': name it .jsonl/.ndjson (one request a line) or .json (an array)."),
    };
}
