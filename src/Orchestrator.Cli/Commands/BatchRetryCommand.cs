using System.CommandLine;
using Orchestrator.Cli.Display;

namespace Orchestrator.Cli.Commands;

/// <summary><c>batch-retry &lt;batchId&gt;</c>: runs the failed and timed-out lines of an ended batch again, as a new batch.</summary>
public static class BatchRetryCommand
{
    public static Command Create(GlobalOptions global)
    {
        var batchId = new Argument<string>("batchId") { Description = "The batch id." };
        var command = new Command("batch-retry",
            "Run an ended batch's failed and timed-out lines again as a new batch (POST /v1/batches/{id}/retry); follow it with batch-status.") { batchId };
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var answer = await ctx.Client.RetryBatchAsync(ctx.Get(batchId), ctx.Cancel);
            ctx.Output.Result(answer.Document, () => BatchText.Retry(answer.Value));
            return ExitCodes.Success;
        }));
        return command;
    }
}
