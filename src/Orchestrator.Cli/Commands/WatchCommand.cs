using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Display;
using Orchestrator.Cli.Http;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>watch</c>: follows the server's completion stream, one line per task that ends (JSON Lines with <c>--json</c>),
/// until Ctrl+C, which is the normal way to stop it and so exits 0.
/// </summary>
public static class WatchCommand
{
    public static Command Create(GlobalOptions global)
    {
        var status = new Option<string?>("--status") { Description = "Only these end statuses, comma-separated: succeeded,failed,timed_out,cancelled." };
        var provider = new Option<string?>("--provider") { Description = "Only tasks of this provider account." };
        var tenant = new Option<string?>("--tenant") { Description = "Only tasks whose metadata.tenant is this." };
        var from = new Option<string?>("--from")
        {
            Description = "Where to start: now (the default: only tasks that end from now on), start (replay every completion), " +
                          "or an event offset to resume after (a line's first column, or --json's offset).",
            HelpName = "now|start|offset",
            Validators = { r => { if (r.GetValueOrDefault<string?>() is { } v && !TryParseFrom(v, out _, out _)) r.AddError($"--from expects now, start or an offset, got '{v}'."); } },
        };
        var command = new Command("watch", "Follow task completions as they happen (GET /v1/events). Ctrl+C stops, exit 0.")
        {
            status, provider, tenant, from,
        };

        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var query = OrchestratorClient.Query(("status", ctx.Get(status)), ("provider", ctx.Get(provider)), ("tenant", ctx.Get(tenant)));
            TryParseFrom(ctx.Get(from) ?? "now", out var after, out var fromStart);
            var stream = new CompletionStream(ctx.Client, ctx.Output.Warn);
            var received = 0;
            try
            {
                await foreach (var item in stream.FollowAsync(query, after, fromStart, ctx.Cancel))
                {
                    received++;
                    // The server's own document, compacted to one line: fields newer than this client are kept.
                    ctx.Output.Result(item.Document, () => TaskText.Line(item.Completion));
                }
            }
            catch (OperationCanceledException) when (ctx.Cancel.IsCancellationRequested)
            {
                // Ctrl+C: the user is done watching.
            }
            ctx.Output.Warn($"{received} completion(s)" + (stream.LastOffset is { } last ? $"; resume with --from {last}" : ""));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static bool TryParseFrom(string text, out long? after, out bool fromStart)
    {
        after = null;
        fromStart = text == "start";
        if (text is "now" or "start") return true;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)) return false;
        after = offset;
        return true;
    }
}
