using System.CommandLine;
using Orchestrator.Cli.Display;
using Orchestrator.Cli.Http;
using Orchestrator.Tasks;

namespace Orchestrator.Cli.Commands;

/// <summary>The <c>--wait</c> and <c>--poll-interval</c> options, and waiting for one task by polling its view.</summary>
public static class TaskWaiting
{
    public static Option<bool> WaitOption(string description) => new("--wait") { Description = description };

    public static Option<double> IntervalOption() => new("--poll-interval")
    {
        Description = "Seconds between status reads while waiting.",
        HelpName = "seconds",
        DefaultValueFactory = _ => 1.0,
        Validators = { r => { if (r.GetValueOrDefault<double>() is <= 0 or > 3600) r.AddError("--poll-interval must be between 0 and 3600 seconds."); } },
    };

    public static async Task<Answer<TaskView>> UntilEndedAsync(CommandContext ctx, Answer<TaskView> task, double intervalSeconds)
    {
        try
        {
            while (!task.Value.HasEnded)
            {
                await Task.Delay(TimeSpan.FromSeconds(intervalSeconds), ctx.Cancel);
                task = await ctx.Client.GetTaskAsync(task.Value.Id, ctx.Cancel);
            }
            return task;
        }
        catch (OperationCanceledException) when (ctx.Cancel.IsCancellationRequested)
        {
            ctx.Output.Warn($"stopped waiting; the task goes on (orchestrator get {task.Value.Id}).");
            throw;
        }
    }
}
