using System.Collections;
using Microsoft.Extensions.Logging;
using Orchestrator.Tasks;

namespace Orchestrator.Telemetry;

/// <summary>
/// The log scope of one task's work: its id, account and tenant as structured fields (a JSON or OpenTelemetry log shows
/// them on every line written inside, the HTTP client's lines of a provider call included).
/// </summary>
internal sealed class TaskLogScope(string taskId, GenerationRequest request) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public static IDisposable? Begin(ILogger? log, string taskId, GenerationRequest? request) =>
        log is null || request is null ? null : log.BeginScope(new TaskLogScope(taskId, request));

    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("TaskId", taskId),
        1 => new("Account", request.Provider),
        2 => new("Tenant", request.Metadata?.GetValueOrDefault("tenant")),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"TaskId:{taskId} Account:{request.Provider}";
}
