using System.CommandLine;
using Orchestrator.Cli.Display;

namespace Orchestrator.Cli.Commands;

/// <summary><c>batch-status &lt;batchId&gt;</c>: a batch's counts, rate and ETA; <c>--wait</c> follows it to the end.</summary>
public static class BatchStatusCommand
{
    public static Command Create(GlobalOptions global)
    {
        var batchId = new Argument<string>("batchId") { Description = "The batch id that `batch` printed." };
        var wait = TaskWaiting.WaitOption("Follow the batch until every task has ended.");
        var interval = TaskWaiting.IntervalOption();
        var command = new Command("batch-status", "Show a batch's progress (GET /v1/batches/{id}).") { batchId, wait, interval };

        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var answer = ctx.Get(wait)
                ? await BatchWaiting.UntilEndedAsync(ctx, ctx.Get(batchId), ctx.Get(interval))
                : await ctx.Client.GetBatchAsync(ctx.Get(batchId), ctx.Cancel);
            var progress = answer.Value;
            ctx.Output.Result(answer.Document, () => progress.HasEnded ? BatchText.Summary(progress) : BatchText.ProgressLine(progress));
            return progress.HasEnded ? BatchWaiting.ExitCodeOf(progress) : ExitCodes.Success;
        }));
        return command;
    }
}
