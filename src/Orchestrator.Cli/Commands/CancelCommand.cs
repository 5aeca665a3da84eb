using System.CommandLine;
using Orchestrator.Cli.Display;

namespace Orchestrator.Cli.Commands;

/// <summary><c>cancel &lt;id&gt;</c>: ends a task that has not ended (a task that already ended is a 409, exit 1).</summary>
public static class CancelCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "The task id." };
        var command = new Command("cancel", "Cancel a task that has not ended.") { id };
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var task = await ctx.Client.CancelTaskAsync(ctx.Get(id), ctx.Cancel);
            ctx.Output.Result(task.Document, () => TaskText.Block(task.Value));
            return ExitCodes.Success;
        }));
        return command;
    }
}
