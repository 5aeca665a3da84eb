using System.CommandLine;
using Orchestrator.Cli.Display;

namespace Orchestrator.Cli.Commands;

/// <summary><c>providers</c>: every provider account, its rate, concurrency and queues.</summary>
public static class ProvidersCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("providers", "Show the provider accounts, their rate, concurrency and queues (GET /v1/providers).");
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var (providers, document) = await ctx.Client.ProvidersAsync(ctx.Cancel);
            ctx.Output.Result(document, () => providers.Accounts.Count == 0 ? "no provider accounts" : string.Join('\n', providers.Accounts.Select(ProviderText.Line)));
            return ExitCodes.Success;
        }));
        return command;
    }
}
