using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Server.Api;

namespace Orchestrator.Tests.Api;

/// <summary>An overloaded node answers 503 with Retry-After, which clients retry, never a 500.</summary>
public sealed class OverloadAnswerTests
{
    public static TheoryData<string> Overloads => ["ask timeout", "circuit open", "database busy"];

    [Theory]
    [MemberData(nameof(Overloads))]
    public async Task An_overload_is_answered_503_with_retry_after(string overload)
    {
        Exception cause = overload switch
        {
            "ask timeout" => new AskTimeoutException("Timeout after 30 s"),
            "circuit open" => new Akka.Pattern.OpenCircuitException("Circuit breaker is open"),
            _ => new Microsoft.Data.Sqlite.SqliteException("database is locked", 5),
        };
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();

        Assert.True(await new ApiExceptionHandler(NullLogger<ApiExceptionHandler>.Instance).TryHandleAsync(http, cause, CancellationToken.None));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal(ApiProblems.OverloadedRetryAfterSeconds.ToString(), http.Response.Headers.RetryAfter.ToString());
    }
}
