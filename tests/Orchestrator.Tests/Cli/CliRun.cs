using System.Text.Json;
using Orchestrator.Cli;

namespace Orchestrator.Tests.Cli;

/// <summary>One finished CLI run: its exit code and what it wrote, as a script piping its output would see it.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Runs the CLI with redirected output (not a terminal, so progress is plain lines).</summary>
    public static async Task<CliRun> RunAsync(string[] args, CancellationToken cancel = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, new CliConsole(output, error, IsTerminal: false), cancel);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Every stdout line parsed as JSON: with --json, a line that is not JSON fails the test here.</summary>
    public List<JsonElement> JsonLines => OutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
