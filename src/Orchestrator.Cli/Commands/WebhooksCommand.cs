using System.CommandLine;
using Orchestrator.Cli.Display;
using Orchestrator.Webhooks;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>webhooks</c>: lists the registered endpoints; its subcommands add and remove one, list an endpoint's deliveries
/// that did not arrive, and replay them.
/// </summary>
public static class WebhooksCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("webhooks", "List webhook endpoints (GET /v1/webhooks); subcommands add, remove, show deliveries, replay.");
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var (list, document) = await ctx.Client.WebhooksAsync(ctx.Cancel);
            ctx.Output.Result(document, () => list.Items.Count == 0 ? "no webhook endpoints" : string.Join('\n', list.Items.Select(WebhookText.Line)));
            return ExitCodes.Success;
        }));
        command.Subcommands.Add(Add(global));
        command.Subcommands.Add(Remove(global));
        command.Subcommands.Add(Deliveries(global));
        command.Subcommands.Add(Replay(global));
        return command;
    }

    private static Command Add(GlobalOptions global)
    {
        var url = new Argument<string>("url") { Description = "Where deliveries go: an absolute http(s) URL." };
        var events = new Option<string?>("--events")
        {
            Description = "Comma-separated completion types: task.succeeded, task.failed, task.timed_out, task.cancelled (default: all).",
            HelpName = "types",
        };
        var secret = new Option<string?>("--secret") { Description = "The whsec_… secret that signs deliveries (default: generated, printed once)." };
        var command = new Command("add", "Register an endpoint for signed deliveries of task completions (POST /v1/webhooks).") { url, events, secret };
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var request = new WebhookRegistrationRequest
            {
                Url = ctx.Get(url),
                Events = ctx.Get(events)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
                Secret = ctx.Get(secret),
            };
            var (created, document) = await ctx.Client.AddWebhookAsync(request, ctx.Cancel);
            ctx.Output.Result(document, () => $"webhook {created.Id} → {created.Url} ({string.Join(",", created.Events)})\n" +
                                              $"  secret {created.Secret} (shown only now: keep it to verify signatures)");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Remove(GlobalOptions global)
    {
        var id = EndpointId();
        var command = new Command("remove", "Delete an endpoint (DELETE /v1/webhooks/{id}).") { id };
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            await ctx.Client.RemoveWebhookAsync(ctx.Get(id), ctx.Cancel);
            ctx.Output.Result(new { id = ctx.Get(id), removed = true }, () => $"webhook {ctx.Get(id)} removed");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Deliveries(GlobalOptions global)
    {
        var id = EndpointId();
        var state = new Option<string?>("--state") { Description = "Only pending (another attempt is due) or failed (given up) deliveries." };
        state.AcceptOnlyFromAmong("pending", "failed");
        var command = new Command("deliveries", "An endpoint's deliveries that did not arrive (GET /v1/webhooks/{id}/deliveries).") { id, state };
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var (list, document) = await ctx.Client.DeliveriesAsync(ctx.Get(id), ctx.Get(state), ctx.Cancel);
            ctx.Output.Result(document, () => list.Items.Count == 0 ? "no pending or failed deliveries" : string.Join('\n', list.Items.Select(WebhookText.DeliveryLine)));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Replay(GlobalOptions global)
    {
        var id = EndpointId();
        var eventId = new Option<string?>("--event") { Description = "Replay only this delivery (its event id); default: every pending and failed one.", HelpName = "eventId" };
        var command = new Command("replay", "Attempt an endpoint's pending and failed deliveries again now (POST /v1/webhooks/{id}/replay).") { id, eventId };
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var (replay, document) = await ctx.Client.ReplayAsync(ctx.Get(id), ctx.Get(eventId), ctx.Cancel);
            ctx.Output.Result(document, () => $"webhook {ctx.Get(id)}: {replay.Replayed} deliver{(replay.Replayed == 1 ? "y" : "ies")} replayed");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Argument<string> EndpointId() => new("id") { Description = "The endpoint's id (wh_…), as `webhooks` lists it." };
}
