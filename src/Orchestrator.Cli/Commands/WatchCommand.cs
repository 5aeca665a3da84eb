using System.CommandLine;
using System.Text;
using System.Text.Json;
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
        var from = new Option<long?>("--from")
        {
            Description = "Resume after this event offset (a line's first column, or --json's offset). Default: the stream's start.",
            HelpName = "offset",
        };
        var command = new Command("watch", "Follow task completions as they happen (GET /v1/events). Ctrl+C stops, exit 0.")
        {
            status, provider, tenant, from,
        };

        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var query = Query(("status", ctx.Get(status)), ("provider", ctx.Get(provider)), ("tenant", ctx.Get(tenant)));
            var stream = new CompletionStream(ctx.Client, ctx.Output.Warn);
            var received = 0;
            try
            {
                await foreach (var item in stream.FollowAsync(query, ctx.Get(from), ctx.Cancel))
                {
                    received++;
                    // The server's own document, compacted to one line: fields newer than this client are kept.
                    ctx.Output.Result(JsonDocument.Parse(item.Json).RootElement, () => TaskText.Line(item.Completion));
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

    private static string Query(params (string Key, string? Value)[] filters)
    {
        var query = new StringBuilder();
        foreach (var (key, value) in filters.Where(f => !string.IsNullOrWhiteSpace(f.Value)))
            query.Append(query.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value!));
        return query.ToString();
    }
}
