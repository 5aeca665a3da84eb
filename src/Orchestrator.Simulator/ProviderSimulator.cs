using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orchestrator.Simulator;

/// <summary>What the simulator has received, for tests and the benchmark.</summary>
public sealed record SimulatorStats(
    long Submits,
    long Polls,
    long RateLimitAnswers,
    long AuthFailures,
    long ServerErrors,
    int PeakRequestsPerSecond,
    double PeakAtSeconds,
    long DuplicateExternalIds,
    int Tasks);

/// <summary>A fault to inject into the next calls, for deterministic tests.</summary>
public enum SimulatedFault
{
    ServerError,
    Malformed,
    RateLimit,
    /// <summary>The provider creates the task but its answer never comes back (a crash or timeout on the way).</summary>
    AcceptThenHang,
}

/// <summary>
/// The simulated provider account's state: its tasks, its rate window, injected faults and what it recorded.
/// Thread-safe; shared by the HTTP endpoints.
/// </summary>
public sealed class ProviderSimulator(SimulatorOptions options, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, SimulatedTask> _tasks = new();
    private readonly ConcurrentDictionary<string, string> _byExternalId = new();
    private readonly ConcurrentQueue<SimulatedFault> _faults = new();
    private readonly RollingWindow _all = new();
    private readonly RollingWindow _accepted = new();
    private readonly Lock _windowLock = new();
    private readonly Random _random = options.Seed is { } s ? new Random(s) : new Random();
    private readonly Lock _randomLock = new();
    private long _submits, _polls, _rateLimited, _authFailures, _serverErrors, _duplicates;

    public SimulatorOptions Options { get; } = options;
    public DateTimeOffset Now => _clock.GetUtcNow();

    public SimulatorStats Stats()
    {
        int peak;
        double peakAt;
        lock (_windowLock) (peak, peakAt) = (_all.Peak, _all.PeakAtSeconds);
        return new SimulatorStats(Interlocked.Read(ref _submits), Interlocked.Read(ref _polls), Interlocked.Read(ref _rateLimited),
            Interlocked.Read(ref _authFailures), Interlocked.Read(ref _serverErrors), peak, peakAt, Interlocked.Read(ref _duplicates), _tasks.Count);
    }

    /// <summary>The next <paramref name="count"/> calls (after auth) get <paramref name="fault"/>.</summary>
    public void Inject(SimulatedFault fault, int count)
    {
        for (var i = 0; i < count; i++) _faults.Enqueue(fault);
    }

    /// <summary>Admission of one call: records the arrival, then decides whether a limit or fault answers it.</summary>
    public SimulatedFault? Admit()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_windowLock)
        {
            _all.Record(now);
            if (Options.QpsLimit > 0 && _accepted.CountBefore(now) >= Options.QpsLimit)
            {
                Interlocked.Increment(ref _rateLimited);
                return SimulatedFault.RateLimit;
            }
            _accepted.Record(now);
        }
        if (_faults.TryDequeue(out var fault))
        {
            if (fault == SimulatedFault.RateLimit) Interlocked.Increment(ref _rateLimited);
            if (fault == SimulatedFault.AcceptThenHang) return fault;
            if (fault == SimulatedFault.ServerError) Interlocked.Increment(ref _serverErrors);
            return fault;
        }
        if (Options.ServerErrorRate > 0 && Draw() < Options.ServerErrorRate)
        {
            Interlocked.Increment(ref _serverErrors);
            return SimulatedFault.ServerError;
        }
        return null;
    }

    public void CountAuthFailure() => Interlocked.Increment(ref _authFailures);

    /// <summary>Creates a task, or returns null when the external id was used before (counted as a duplicate).</summary>
    public SimulatedTask? Create(string kind, int count, string? externalTaskId)
    {
        Interlocked.Increment(ref _submits);
        var isVideo = kind == "video";
        var (min, max) = isVideo ? (Options.VideoMinSeconds, Options.VideoMaxSeconds) : (Options.ImageMinSeconds, Options.ImageMaxSeconds);
        var duration = TimeSpan.FromSeconds(min + (max - min) * Draw());
        var failed = Options.FailureRate > 0 && Draw() < Options.FailureRate;
        var task = new SimulatedTask(Guid.NewGuid().ToString("N"), string.IsNullOrEmpty(externalTaskId) ? null : externalTaskId, kind, count,
            Now, duration, duration * Math.Clamp(Options.QueuedFraction, 0, 1),
            failed ? "Simulated failure: the content could not be generated (risk control)." : null);
        if (task.ExternalTaskId is { } ext && !_byExternalId.TryAdd(ext, task.TaskId))
        {
            Interlocked.Increment(ref _duplicates);
            return null;
        }
        _tasks[task.TaskId] = task;
        return task;
    }

    /// <summary>Finds a task by its id or by its external id (Kling accepts either).</summary>
    public SimulatedTask? Find(string id)
    {
        Interlocked.Increment(ref _polls);
        if (_tasks.TryGetValue(id, out var t)) return t;
        return _byExternalId.TryGetValue(id, out var tid) ? _tasks.GetValueOrDefault(tid) : null;
    }

    public SimulatedTask? Peek(string id) => _tasks.GetValueOrDefault(id);

    private double Draw()
    {
        lock (_randomLock) return _random.NextDouble();
    }
}
