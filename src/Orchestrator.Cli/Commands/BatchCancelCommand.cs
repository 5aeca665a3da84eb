using System.CommandLine;
using Orchestrator.Cli.Display;

namespace Orchestrator.Cli.Commands;

/// <summary><c>batch-cancel &lt;batchId&gt;</c>: cancels every task of the batch that has not ended.</summary>
public static class BatchCancelCommand
{
    public static Command Create(GlobalOptions global)
    {
        var batchId = new Argument<string>("batchId") { Description = "The batch id." };
        var command = new Command("batch-cancel", "Cancel a batch's tasks that have not ended (DELETE /v1/batches/{id}).") { batchId };
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var answer = await ctx.Client.CancelBatchAsync(ctx.Get(batchId), ctx.Cancel);
            ctx.Output.Result(answer.Document, () => BatchText.Cancellation(answer.Value));
            return ExitCodes.Success;
        }));
        return command;
    }
}
