using System.CommandLine;

namespace Orchestrator.Cli.Commands;

/// <summary>Options every command takes, and the console the commands write to.</summary>
public sealed class GlobalOptions(CliConsole console)
{
    public const string ServerVariable = "ORCHESTRATOR_URL";
    public const string DefaultServer = "http://127.0.0.1:5080";

    public CliConsole Console { get; } = console;

    public Option<string> Server { get; } = new("--server")
    {
        Description = $"The server's base URL (default: ${ServerVariable}, else {DefaultServer}).",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } url ? url : DefaultServer,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Machine output: one JSON document per result (JSON Lines for streams) on stdout, nothing else there.",
        Recursive = true,
    };
}
