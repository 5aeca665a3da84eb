using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Tag = System.Collections.Generic.KeyValuePair<string, object?>;

namespace Orchestrator.Telemetry;

/// <summary>
/// What one account's throttle shows the gauges: its queue lengths, rates and slots in use. The throttle actor writes
/// the fields as it changes them (plain writes, no lock: a gauge read a moment stale is still right); the observable
/// gauges read every live throttle's readings only when a collector asks.
/// </summary>
internal sealed class ThrottleReadings(string account, double configuredRate, int? concurrencyLimit)
{
    private static readonly ConcurrentDictionary<ThrottleReadings, byte> Live = new();

    public string Account { get; } = account;
    public double ConfiguredRate { get; } = configuredRate;
    public int? ConcurrencyLimit { get; } = concurrencyLimit;
    public volatile int QueuedSubmits;
    public volatile int QueuedPolls;
    public volatile int SlotsInUse;
    private double _effectiveRate = configuredRate;

    public double EffectiveRate { get => Volatile.Read(ref _effectiveRate); set => Volatile.Write(ref _effectiveRate, value); }

    /// <summary>Shown by the gauges until <see cref="Stop"/>.</summary>
    public ThrottleReadings Start()
    {
        // The gauges are made with the meter's other instruments, the first time any is used.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(OrchestratorMetrics).TypeHandle);
        Live[this] = 0;
        return this;
    }

    public void Stop() => Live.TryRemove(this, out _);

    internal static void Observe(Meter meter)
    {
        meter.CreateObservableGauge("orchestrator.throttle.queue_length", () => Each<int>(r =>
            [new(r.QueuedSubmits, new Tag("account", r.Account), new Tag("call", "submit")), new(r.QueuedPolls, new Tag("account", r.Account), new Tag("call", "poll"))]),
            "{call}", "Calls waiting in the account's throttle queue for a permit");
        meter.CreateObservableGauge("orchestrator.throttle.rate.effective", () => Each<double>(r => [new Measurement<double>(r.EffectiveRate, new Tag("account", r.Account))]),
            "{call}/s", "The rate the throttle grants permits at now (below the configured one while it backs off from limit answers)");
        meter.CreateObservableGauge("orchestrator.throttle.rate.configured", () => Each<double>(r => [new Measurement<double>(r.ConfiguredRate, new Tag("account", r.Account))]),
            "{call}/s", "The account's configured Qps");
        meter.CreateObservableGauge("orchestrator.throttle.concurrency.in_use", () => Each<int>(r => [new Measurement<int>(r.SlotsInUse, new Tag("account", r.Account))]),
            "{slot}", "Provider concurrency slots held by running tasks");
        meter.CreateObservableGauge("orchestrator.throttle.concurrency.limit", () => Each<int>(r => r.ConcurrencyLimit is { } max
                ? [new Measurement<int>(max, new Tag("account", r.Account))] : []),
            "{slot}", "The account's MaxConcurrentTasks (absent when unlimited)");
    }

    private static IEnumerable<Measurement<T>> Each<T>(Func<ThrottleReadings, Measurement<T>[]> read) where T : struct =>
        Live.Keys.SelectMany(read);
}
