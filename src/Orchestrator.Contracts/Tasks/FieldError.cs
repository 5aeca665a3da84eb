namespace Orchestrator.Tasks;

/// <summary>One rejected field: <c>Field</c> is the JSON name the caller used (camelCase).</summary>
/// <param name="Field">The field, e.g. <c>count</c> or <c>cameraControl.type</c>.</param>
/// <param name="Message">What is wrong with it.</param>
public sealed record FieldError(string Field, string Message);
