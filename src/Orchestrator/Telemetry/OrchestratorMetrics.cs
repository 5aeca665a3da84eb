using System.Diagnostics.Metrics;
using Orchestrator.Tasks;

namespace Orchestrator.Telemetry;

/// <summary>
/// Counters every later dashboard and benchmark reads (System.Diagnostics.Metrics, OpenTelemetry-ready).
/// Journal writes are counted from the first commit because writes per task are the throughput budget.
/// </summary>
internal static class OrchestratorMetrics
{
    public const string MeterName = "Orchestrator";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> JournalWrites = Meter.CreateCounter<long>("orchestrator.journal.writes", description: "Task events persisted");
    private static readonly Counter<long> TasksEnded = Meter.CreateCounter<long>("orchestrator.tasks.ended", description: "Tasks that reached an end state");
    private static readonly Counter<long> PermitsExpired = Meter.CreateCounter<long>("orchestrator.throttle.permits_expired", description: "Permits that reached their task too late to be used");
    private static long _journalWrites;

    /// <summary>Total journal writes of task events in this process.</summary>
    public static long JournalWriteCount => Interlocked.Read(ref _journalWrites);

    public static void JournalWritten()
    {
        Interlocked.Increment(ref _journalWrites);
        JournalWrites.Add(1);
    }

    public static void PermitExpired() => PermitsExpired.Add(1);

    public static void TaskEnded(TaskLifecycle status) =>
        TasksEnded.Add(1, new KeyValuePair<string, object?>("status", status.ToString()));
}
