using System.CommandLine;

namespace Orchestrator.Cli.Commands;

/// <summary>Options every command takes, and the console the commands write to.</summary>
public sealed class GlobalOptions(CliConsole console)
{
    public const string ServerVariable = "ORCHESTRATOR_URL";
    public const string DefaultServer = "http://127.0.0.1:5080";
    public const string ApiKeyVariable = "ORCHESTRATOR_API_KEY";

    public CliConsole Console { get; } = console;

    public Option<string> Server { get; } = new("--server")
    {
        Description = $"The server's base URL (default: ${ServerVariable}, else {DefaultServer}).",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } url ? url : DefaultServer,
    };

    // The environment variable is the better place: a flag's value shows in the shell's history and in ps.
    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"The API key sent as Authorization: Bearer (default: ${ApiKeyVariable}; a server on loopback without keys needs none).",
        HelpName = "key",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key : null,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Machine output: one JSON document per result (JSON Lines for streams) on stdout, nothing else there.",
        Recursive = true,
    };
}
