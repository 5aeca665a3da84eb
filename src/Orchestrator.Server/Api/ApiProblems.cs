using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>RFC 7807 problem answers shared by the endpoints.</summary>
public static class ApiProblems
{
    public static IResult TaskNotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Task not found", detail: $"No task with id '{id}'.");

    /// <summary>A validation problem; <c>errors</c> maps each field to its messages, <c>detail</c> repeats the first.</summary>
    public static IResult Invalid(params FieldError[] errors) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            detail: $"{errors[0].Field}: {errors[0].Message}",
            title: "The request is invalid.");

    /// <summary>
    /// 415 for a body sent as another media type (curl's <c>-d</c> sends a form, HttpClient's <c>StringContent</c> plain
    /// text); <paramref name="accepted"/> goes into <c>Accept-Post</c> and the detail says what to send.
    /// </summary>
    public static IResult UnsupportedMediaType(HttpContext http, string accepted, string what)
    {
        http.Response.Headers["Accept-Post"] = accepted;
        var got = http.Request.ContentType is { Length: > 0 } type ? $"'{type}'" : "no Content-Type";
        return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
            detail: $"{what}, with Content-Type: {accepted} (got {got}).");
    }
}

/// <summary>Which request bodies are JSON.</summary>
public static class ApiContentTypes
{
    /// <summary><c>application/json</c> or <c>application/*+json</c>, with or without parameters such as <c>charset</c>.</summary>
    public static bool IsJson(string? contentType) =>
        System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } media
        && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
