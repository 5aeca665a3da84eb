using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orchestrator.Tasks;
using Tag = System.Collections.Generic.KeyValuePair<string, object?>;

namespace Orchestrator.Telemetry;

/// <summary>
/// Every orchestrator metric (System.Diagnostics.Metrics, read by OpenTelemetry or any MeterListener; docs/observability.md).
/// Counters and histograms only on the hot path: an instrument nobody listens to costs a flag check, and tags are
/// stack-built pairs. Gauges are read from <see cref="ThrottleReadings"/> when a collector asks.
/// Journal writes are also counted in a plain field, because writes per task are the throughput budget benchmarks read.
/// </summary>
internal static class OrchestratorMetrics
{
    public const string MeterName = OrchestratorTelemetry.MeterName;
    private static readonly Meter Meter = new(MeterName);

    // Seconds, from a journal write's milliseconds to a long provider call's minutes (the SDK's default buckets are for milliseconds).
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    };

    private static readonly Counter<long> JournalWrites = Meter.CreateCounter<long>("orchestrator.journal.writes", "{event}", "Task events persisted");
    private static readonly Histogram<double> JournalWriteDuration = Meter.CreateHistogram<double>("orchestrator.journal.write.duration", "s", "From a task event's persist call to its write being confirmed", advice: Seconds);
    private static readonly Counter<long> TasksAccepted = Meter.CreateCounter<long>("orchestrator.tasks.accepted", "{task}", "Tasks accepted, by account");
    private static readonly Counter<long> TasksEnded = Meter.CreateCounter<long>("orchestrator.tasks.ended", "{task}", "Tasks that reached an end state, by status and account");
    private static readonly Counter<long> PermitsExpired = Meter.CreateCounter<long>("orchestrator.throttle.permits_expired", "{permit}", "Permits that reached their task too late to be used");
    private static readonly Counter<long> ProviderCalls = Meter.CreateCounter<long>("orchestrator.provider.calls", "{call}",
        "Provider calls by account, call (submit, poll, lookup, batch_poll) and outcome (ok, rate_limited, not_found, error)");
    private static readonly Histogram<double> ProviderCallDuration = Meter.CreateHistogram<double>("orchestrator.provider.call.duration", "s", "Provider call duration", advice: Seconds);
    private static readonly Counter<long> LimitAnswers = Meter.CreateCounter<long>("orchestrator.provider.limit_answers", "{answer}",
        "Rate-limit answers (Kling 1302, DMXAPI 429, Chanjing 40001) the account's throttle backed off for");
    private static readonly Histogram<double> ThrottleWait = Meter.CreateHistogram<double>("orchestrator.throttle.wait", "s", "Time a call waited in its account's throttle queue for a permit", advice: Seconds);
    private static readonly Histogram<double> DetectionLag = Meter.CreateHistogram<double>("orchestrator.tasks.detection_lag", "s", "Time between a provider finishing a task and the orchestrator noticing", advice: Seconds);
    private static readonly Counter<long> WebhookAttempts = Meter.CreateCounter<long>("orchestrator.webhooks.attempts", "{attempt}",
        "Webhook delivery attempts by outcome (delivered, failed)");
    private static readonly Counter<long> WebhookGiveUps = Meter.CreateCounter<long>("orchestrator.webhooks.failures", "{delivery}",
        "Webhook deliveries given up after their last attempt (kept for replay)");
    private static readonly Counter<long> BatchLines = Meter.CreateCounter<long>("orchestrator.batches.tasks.accepted", "{task}", "Batch lines accepted as tasks");
    private static readonly Counter<long> BatchTasksEnded = Meter.CreateCounter<long>("orchestrator.batches.tasks.ended", "{task}", "Tasks of batches that ended, by status");

    private static readonly System.Collections.Frozen.FrozenDictionary<TaskLifecycle, string> StatusNames =
        System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(Enum.GetValues<TaskLifecycle>(), s => s, s => s.WireName());

    private static long _journalWrites;

    static OrchestratorMetrics() => ThrottleReadings.Observe(Meter);

    /// <summary>Total journal writes of task events in this process.</summary>
    public static long JournalWriteCount => Interlocked.Read(ref _journalWrites);

    /// <summary>A task event was written; <paramref name="startedAt"/> is the <see cref="Stopwatch"/> timestamp of its persist call.</summary>
    public static void JournalWritten(long startedAt)
    {
        Interlocked.Increment(ref _journalWrites);
        JournalWrites.Add(1);
        if (JournalWriteDuration.Enabled) JournalWriteDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
    }

    public static void PermitExpired() => PermitsExpired.Add(1);

    public static void TaskAccepted(string account) => TasksAccepted.Add(1, new Tag("account", account));

    public static void TaskEnded(TaskLifecycle status, GenerationRequest? request)
    {
        var name = StatusNames[status];
        TasksEnded.Add(1, new Tag("status", name), new Tag("account", request?.Provider));
        if (request?.BatchId is not null) BatchTasksEnded.Add(1, new Tag("status", name));
    }

    public static void BatchTasksAccepted(int count) => BatchLines.Add(count);

    public static void ProviderCalled(string account, string call, string outcome, double seconds)
    {
        ProviderCalls.Add(1, new Tag("account", account), new Tag("call", call), new Tag("outcome", outcome));
        ProviderCallDuration.Record(seconds, new Tag("account", account), new Tag("call", call));
    }

    public static void LimitAnswered(string account) => LimitAnswers.Add(1, new Tag("account", account));

    public static void PermitWaited(string account, string call, double seconds) =>
        ThrottleWait.Record(seconds, new Tag("account", account), new Tag("call", call));

    public static void Detected(string account, TimeSpan lag) => DetectionLag.Record(lag.TotalSeconds, new Tag("account", account));

    public static void WebhookAttempted(bool delivered) => WebhookAttempts.Add(1, new Tag("outcome", delivered ? "delivered" : "failed"));

    public static void WebhookGaveUp() => WebhookGiveUps.Add(1);
}
