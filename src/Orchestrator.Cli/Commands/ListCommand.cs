using System.CommandLine;
using Orchestrator.Cli.Display;

namespace Orchestrator.Cli.Commands;

/// <summary><c>list</c>: a page of tasks, newest first, and the command that shows the next page.</summary>
public static class ListCommand
{
    public static Command Create(GlobalOptions global)
    {
        var status = new Option<string?>("--status") { Description = "Only tasks in this status, e.g. processing, failed." };
        var provider = new Option<string?>("--provider") { Description = "Only tasks of this provider account." };
        var limit = new Option<int?>("--limit")
        {
            Description = "Tasks per page (1–500; the server's default is 50).",
            Validators = { r => { if (r.GetValueOrDefault<int?>() is < 1 or > 500) r.AddError("--limit must be between 1 and 500."); } },
        };
        var after = new Option<string?>("--after") { Description = "Start after this task id (the previous page's last).", HelpName = "taskId" };
        var command = new Command("list", "List tasks, newest first (GET /v1/tasks).") { status, provider, limit, after };

        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var (page, document) = await ctx.Client.ListTasksAsync(ctx.Get(status), ctx.Get(provider), ctx.Get(limit), ctx.Get(after), ctx.Cancel);
            ctx.Output.Result(document, () => page.Items.Count == 0 ? "no tasks" : string.Join('\n', page.Items.Select(TaskText.ListLine)));
            if (page.NextAfter is { } next)
            {
                var repeated = string.Concat(new (string Flag, string? Value)[]
                    {
                        ("--status", ctx.Get(status)), ("--limit", ctx.Get(limit)?.ToString()), ("--provider", ctx.Get(provider)),
                    }
                    .Where(f => f.Value is not null).Select(f => $" {f.Flag} {f.Value}"));
                ctx.Output.Info($"more: orchestrator list{repeated} --after {next}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
