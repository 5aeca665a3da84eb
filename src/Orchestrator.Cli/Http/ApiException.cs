using System.Net;
using Orchestrator.Contracts;

namespace Orchestrator.Cli.Http;

/// <summary>The server answered with an error status; <see cref="Problem"/> is its RFC 7807 body when it sent one.</summary>
public sealed class ApiException(HttpStatusCode status, Problem? problem, TimeSpan? retryAfter = null)
    : Exception(Describe(status, problem, retryAfter))
{
    public HttpStatusCode Status { get; } = status;
    public Problem? Problem { get; } = problem;

    private static string Describe(HttpStatusCode status, Problem? problem, TimeSpan? retryAfter)
    {
        var text = $"{(int)status} {(problem?.Title ?? status.ToString()).TrimEnd('.')}";
        // A validation problem's detail repeats its first field error, which is printed with the others.
        if (problem?.Detail is { Length: > 0 } detail && problem.Errors is not { Count: > 0 }) text += $" — {detail}";
        if (retryAfter is { } wait) text += $" (retry after {wait.TotalSeconds:0} s)";
        return text;
    }
}
