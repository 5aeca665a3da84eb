using System.CommandLine;
using Orchestrator.Contracts;

namespace Orchestrator.Cli.Commands;

/// <summary><c>health</c>: whether the server is ready (exit 0) or still starting (exit 1), for scripts and probes.</summary>
public static class HealthCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("health", "Whether the server is ready (GET /healthz); exit 0 when ready, 1 otherwise.");
        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var (health, document) = await ctx.Client.HealthAsync(ctx.Cancel);
            ctx.Output.Result(document, () => $"{ctx.Client.Server}: {health.Status}");
            return health.Status == HealthStatus.Ready ? ExitCodes.Success : ExitCodes.Error;
        }));
        return command;
    }
}
