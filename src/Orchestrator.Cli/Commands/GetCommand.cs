using System.CommandLine;
using Orchestrator.Cli.Display;

namespace Orchestrator.Cli.Commands;

/// <summary><c>get &lt;id&gt;</c>: one task's current view.</summary>
public static class GetCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "The task id." };
        var command = new Command("get", "Show a task.") { id };
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var task = await ctx.Client.GetTaskAsync(ctx.Get(id), ctx.Cancel);
            ctx.Output.Result(task.Document, () => TaskText.Block(task.Value));
            return ExitCodes.Success;
        }));
        return command;
    }
}
