namespace Orchestrator.Cli;

/// <summary>
/// Where the CLI writes. <see cref="IsTerminal"/> is true only when standard output is a real terminal: then, and only
/// without <c>--json</c>, progress is drawn live; otherwise it is written as plain lines.
/// </summary>
/// <param name="Out">Results: human text, or JSON documents with <c>--json</c> and nothing else.</param>
/// <param name="Error">Messages, warnings and errors; never parsed by scripts.</param>
/// <param name="IsTerminal">Whether <paramref name="Out"/> is an interactive terminal.</param>
/// <param name="HandlesSignals">Whether Ctrl+C/SIGTERM cancel the running command (the real process, not a test host).</param>
/// <param name="Colour">Whether the terminal shows colour; null detects it (NO_COLOR, TERM).</param>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsTerminal, bool HandlesSignals = false, bool? Colour = null)
{
    /// <summary>The process's own console.</summary>
    public static CliConsole System() => new(Console.Out, Console.Error, !Console.IsOutputRedirected, HandlesSignals: true);
}
