using Microsoft.Extensions.Logging;

namespace Orchestrator.Tasks;

/// <summary>The one log line per ended task: id, status, account, kind, time since acceptance and, for a failure, its code.</summary>
internal static partial class TaskEndLog
{
    public static void Ended(ILogger log, TaskView view)
    {
        var seconds = ((view.CompletedAt ?? view.CreatedAt) - view.CreatedAt).TotalSeconds;
        if (view.Error is { } error) Failed(log, view.Id, view.Status.WireName(), view.Provider, view.Kind, seconds, error.Code);
        else Ended(log, view.Id, view.Status.WireName(), view.Provider, view.Kind, seconds);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Task {TaskId} {Status} on {Provider} ({Kind}) after {Seconds:0.0} s")]
    private static partial void Ended(ILogger log, string taskId, string status, string provider, string kind, double seconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Task {TaskId} {Status} on {Provider} ({Kind}) after {Seconds:0.0} s: {ErrorCode}")]
    private static partial void Failed(ILogger log, string taskId, string status, string provider, string kind, double seconds, string errorCode);
}
