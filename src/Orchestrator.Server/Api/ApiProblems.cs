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
}
