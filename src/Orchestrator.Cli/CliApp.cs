using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Orchestrator.Cli.Commands;

namespace Orchestrator.Cli;

/// <summary>The whole CLI behind one call, so tests run it in-process with their own writers.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the command and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="cancel">Ends the command as Ctrl+C would (tests use it to stop <c>watch</c>).</param>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancel = default)
    {
        var root = BuildRoot(console);
        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Commands report their own errors (see CommandRunner); an escaped exception is a bug and should show as one.
            EnableDefaultExceptionHandler = true,
            // Only the real process listens for Ctrl+C/SIGTERM; a test host's signals are not ours.
            ProcessTerminationTimeout = console.HandlesSignals ? TimeSpan.FromSeconds(3) : null,
        };
        var parsed = root.Parse(args);
        // A wrong argument gets its error on stderr, not the whole help on stdout (which --json keeps for JSON);
        // no argument at all gets the help.
        if (parsed.Action is ParseErrorAction onError) onError.ShowHelp = args.Length == 0;
        return await parsed.InvokeAsync(configuration, cancel);
    }

    public static Command BuildRoot(CliConsole console)
    {
        var global = new GlobalOptions(console);
        // A plain command rather than RootCommand, whose name is the executable's (Orchestrator.Cli, or a test host):
        // help should show the installed command's name.
        var root = new Command("orchestrator",
            "Submit, batch, watch and download generation tasks from an Orchestrator server.\n\n" + ExitCodes.Help)
        {
            new HelpOption(),
            new VersionOption(),
            global.Server,
            global.ApiKey,
            global.Json,
        };
        root.Subcommands.Add(SubmitCommand.Create(global));
        root.Subcommands.Add(GetCommand.Create(global));
        root.Subcommands.Add(CancelCommand.Create(global));
        root.Subcommands.Add(BatchCommand.Create(global));
        root.Subcommands.Add(BatchStatusCommand.Create(global));
        root.Subcommands.Add(BatchCancelCommand.Create(global));
        root.Subcommands.Add(BatchRetryCommand.Create(global));
        root.Subcommands.Add(WatchCommand.Create(global));
        root.Subcommands.Add(ResultsCommand.Create(global));
        root.Subcommands.Add(ListCommand.Create(global));
        root.Subcommands.Add(ProvidersCommand.Create(global));
        root.Subcommands.Add(HealthCommand.Create(global));
        root.Subcommands.Add(WebhooksCommand.Create(global));
        return root;
    }
}
