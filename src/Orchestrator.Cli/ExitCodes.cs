namespace Orchestrator.Cli;

/// <summary>What the process's exit code says; the same three meanings for every command.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done: accepted, ended succeeded, downloaded.</summary>
    public const int Success = 0;

    /// <summary>
    /// The command could not do what was asked: bad arguments, server unreachable, an HTTP error, a request the
    /// server refused (validation, nothing of a batch accepted), a wait interrupted before the end.
    /// </summary>
    public const int Error = 1;

    /// <summary>
    /// Done, but not all of it went well: some batch lines rejected, some tasks failed, timed out or were cancelled,
    /// a waited-for task ended other than succeeded, or some result files could not be downloaded.
    /// </summary>
    public const int PartialFailure = 2;

    /// <summary>The text shown in <c>--help</c> and in the README.</summary>
    public const string Help =
        "Exit codes: 0 success; 2 partial failure (batch lines rejected, tasks failed/timed out/cancelled, " +
        "a waited-for task not succeeded, downloads missing); 1 error (bad arguments, server unreachable, HTTP error, " +
        "request refused, wait interrupted).";
}
