using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orchestrator.Simulator;

/// <summary>What a client asked to create, already validated by the protocol's endpoint.</summary>
public sealed record TaskRequest(
    string Kind,
    int Count,
    string Endpoint,
    string Model,
    string AspectRatio,
    int ClipSeconds,
    string? ExternalTaskId,
    string? CallbackUrl,
    string FilesBase)
{
    /// <summary>What makes this request the same as another sent again (Chanjing: the body), for <see cref="SimulatorStats.DuplicateRequests"/>; null = not counted.</summary>
    public string? Fingerprint { get; init; }
}

/// <summary>Why a create was refused after validation.</summary>
public enum CreateRefusal
{
    None,
    DuplicateExternalId,
    ConcurrencyLimit,
}

/// <summary>A Chanjing access token and when it stops being accepted.</summary>
public sealed record SimulatedAccessToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>
/// One simulated provider account: its tasks, rate window, concurrency slots, injected faults, token and what
/// it recorded. Thread-safe; shared by the HTTP endpoints.
/// </summary>
public sealed class SimulatedAccount
{
    /// <summary>Chanjing says a token is valid "about 24 h" (docs/providers.md, Chanjing).</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(24);

    private readonly SimulatorOptions _defaults;
    private readonly TimeProvider _clock;
    private readonly Func<double> _draw;
    private readonly ConcurrentQueue<SimulatedFault> _sharedFaults;
    private readonly SimulatedTaskStore? _store;
    private readonly ConcurrentQueue<SimulatedFault> _faults = new();
    private readonly ConcurrentDictionary<string, SimulatedTask> _tasks = new();
    private readonly ConcurrentDictionary<string, string> _byExternalId = new();
    private readonly RollingWindow _all = new();
    private readonly RollingWindow _accepted = new();
    private readonly Lock _windowLock = new();
    private readonly Lock _createLock = new();
    private readonly ConcurrencySlots _slots = new();
    private readonly ConcurrentDictionary<string, int> _fingerprints = new(StringComparer.Ordinal);
    private long _sequence;
    private SimulatedAccessToken? _token;
    private Outage? _outage;

    /// <summary>Every call answered with one fault until a moment of the simulator's clock.</summary>
    private sealed record Outage(SimulatedFault Fault, DateTimeOffset Until);

    internal SimulatedAccount(SimulatedAccountOptions options, SimulatorOptions defaults, TimeProvider clock, Func<double> draw,
        ConcurrentQueue<SimulatedFault> sharedFaults, SimulatedTaskStore? store)
    {
        Options = options;
        _defaults = defaults;
        _clock = clock;
        _draw = draw;
        _sharedFaults = sharedFaults;
        _store = store;
    }

    public SimulatedAccountOptions Options { get; }
    public string Name => Options.Name;
    public string Protocol => Options.Protocol;

    /// <summary>The behaviour in force now (overrides over the live simulator-wide options).</summary>
    public AccountBehaviour Behaviour => AccountBehaviour.Resolve(Options, _defaults);

    /// <summary>The DMXAPI bearer key this account accepts.</summary>
    public string ApiKey => Options.ApiKey ?? _defaults.ApiKey;

    internal AccountCounters Counters { get; } = new();

    public SimulatorStats Stats()
    {
        int peak;
        double peakAt;
        lock (_windowLock) (peak, peakAt) = (_all.Peak, _all.PeakAtSeconds);
        return Counters.Snapshot(peak, peakAt, _tasks.Count);
    }

    /// <summary>Calls that arrived in each whole second since this account's first call (refused ones included).</summary>
    public IReadOnlyList<int> ArrivalsPerSecond()
    {
        lock (_windowLock) return _all.PerSecond;
    }

    /// <summary>When this account's first call arrived (a <see cref="Stopwatch"/> timestamp, -1 before any): second 0 of <see cref="ArrivalsPerSecond"/>.</summary>
    public long FirstArrivalTimestamp()
    {
        lock (_windowLock) return _all.FirstTimestamp;
    }

    /// <summary>This account's next <paramref name="count"/> calls (after auth) get <paramref name="fault"/>.</summary>
    public void Inject(SimulatedFault fault, int count)
    {
        for (var i = 0; i < count; i++) _faults.Enqueue(fault);
    }

    /// <summary>
    /// Every call (after auth) for <paramref name="duration"/> of the simulator's clock gets <paramref name="fault"/>:
    /// <see cref="SimulatedFault.Unavailable"/> is the provider down, <see cref="SimulatedFault.RateLimit"/> a storm of
    /// rate-limit answers. A new outage replaces the one in force; a zero duration ends it.
    /// </summary>
    public void StartOutage(SimulatedFault fault, TimeSpan duration) => Volatile.Write(ref _outage, new Outage(fault, _clock.GetUtcNow() + duration));

    /// <summary>Admission of one authenticated call: records its arrival, then decides whether an outage, a limit or a fault answers it.</summary>
    internal SimulatedFault? Admit()
    {
        var behaviour = Behaviour;
        // Real arrival times, not the injected clock: the QPS window measures what the client really sent.
        var now = Stopwatch.GetTimestamp();
        var outage = Volatile.Read(ref _outage) is { } o && _clock.GetUtcNow() < o.Until ? o.Fault : (SimulatedFault?)null;
        lock (_windowLock)
        {
            _all.Record(now);
            // An answer of the outage is not an accepted call: it does not count against the QPS window.
            if (outage is null && behaviour.QpsLimit > 0 && _accepted.CountBefore(now) >= behaviour.QpsLimit)
            {
                Counters.CountFault(SimulatedFault.RateLimit);
                Interlocked.Increment(ref Counters.QpsExceededAnswers);
                return SimulatedFault.RateLimit;
            }
            if (outage is null) _accepted.Record(now);
        }
        if (outage is { } during)
        {
            Counters.CountFault(during);
            return during;
        }
        if (_faults.TryDequeue(out var fault) || _sharedFaults.TryDequeue(out fault))
        {
            Counters.CountFault(fault);
            return fault;
        }
        var drawn = DrawFault(behaviour);
        if (drawn is { } f) Counters.CountFault(f);
        return drawn;
    }

    private SimulatedFault? DrawFault(AccountBehaviour b)
    {
        // One draw split into bands, and none at all when no rate is set, so seeded runs stay repeatable.
        if (b.ServerErrorRate <= 0 && b.TimeoutRate <= 0 && b.MalformedRate <= 0 && b.ResetRate <= 0) return null;
        var r = _draw();
        if ((r -= b.ServerErrorRate) < 0) return SimulatedFault.ServerError;
        if ((r -= b.TimeoutRate) < 0) return SimulatedFault.Timeout;
        if ((r -= b.MalformedRate) < 0) return SimulatedFault.Malformed;
        if ((r -= b.ResetRate) < 0) return SimulatedFault.ConnectionReset;
        return null;
    }

    /// <summary>The fingerprints (Chanjing: bodies) of requests created more than once since the simulator started, each once.</summary>
    public IReadOnlyList<string> RepeatedRequests() => [.. _fingerprints.Where(f => f.Value > 1).Select(f => f.Key)];

    internal void CountAuthFailure() => Interlocked.Increment(ref Counters.AuthFailures);

    /// <summary>A 10400 answer: an auth failure, and counted on its own, since it is what two token fetchers cause.</summary>
    internal void CountTokenRefusal()
    {
        CountAuthFailure();
        Interlocked.Increment(ref Counters.TokenRefusals);
    }

    /// <summary>
    /// Creates a task, or says why not: a reused external id, or (Kling protocols) the concurrency limit.
    /// Its duration and fate are drawn now from the account's behaviour.
    /// </summary>
    internal (SimulatedTask? Task, CreateRefusal Refusal) Create(TaskRequest request)
    {
        Interlocked.Increment(ref Counters.Submits);
        var b = Behaviour;
        var (min, max) = request.Kind == "video" ? (b.VideoMinSeconds, b.VideoMaxSeconds) : (b.ImageMinSeconds, b.ImageMaxSeconds);
        var duration = TimeSpan.FromSeconds(min + (max - min) * _draw());
        var failed = b.FailureRate > 0 && _draw() < b.FailureRate;
        lock (_createLock)
        {
            var now = _clock.GetUtcNow();
            var external = string.IsNullOrEmpty(request.ExternalTaskId) ? null : request.ExternalTaskId;
            if (external is not null && _byExternalId.ContainsKey(external))
            {
                Interlocked.Increment(ref Counters.DuplicateExternalIds);
                return (null, CreateRefusal.DuplicateExternalId);
            }
            var task = new SimulatedTask(Protocol == SimulatedProtocols.Chanjing ? Guid.NewGuid().ToString("D") : Guid.NewGuid().ToString("N"),
                external, request.Kind, request.Count, now, duration, duration * Math.Clamp(b.QueuedFraction, 0, 1),
                failed ? "Simulated failure: the content could not be generated (risk control)." : null)
            {
                Sequence = ++_sequence,
                Endpoint = request.Endpoint,
                Model = request.Model,
                AspectRatio = request.AspectRatio,
                ClipSeconds = request.ClipSeconds,
                CallbackUrl = string.IsNullOrWhiteSpace(request.CallbackUrl) ? null : request.CallbackUrl,
                FilesBase = request.FilesBase,
            };
            // Chanjing documents no concurrency limit; Kling's holds `n` slots per image task until it ends.
            if (Protocol != SimulatedProtocols.Chanjing && b.ConcurrencyLimit > 0 && _slots.HeldAt(now) + task.Slots > b.ConcurrencyLimit)
            {
                Interlocked.Increment(ref Counters.ConcurrencyLimitAnswers);
                return (null, CreateRefusal.ConcurrencyLimit);
            }
            // Stored before it is answered: a provider that said "created" remembers the task, whatever happens next.
            if (_store is not null && !_store.TryAdd(Name, task))
            {
                Interlocked.Increment(ref Counters.DuplicateExternalIds);
                return (null, CreateRefusal.DuplicateExternalId);
            }
            _slots.Hold(task);
            if (request.Fingerprint is { } print && _fingerprints.AddOrUpdate(print, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref Counters.DuplicateRequests);
            // The task before its external id, so a lookup by external id never finds an id without its task.
            _tasks[task.TaskId] = task;
            if (external is not null) _byExternalId[external] = task.TaskId;
            return (task, CreateRefusal.None);
        }
    }

    /// <summary>Takes back a task the store kept from before a restart: it runs on by the clock, holding its slots until it ends.</summary>
    internal void Restore(SimulatedTask task)
    {
        lock (_createLock)
        {
            _slots.Hold(task);
            _tasks[task.TaskId] = task;
            if (task.ExternalTaskId is { } external) _byExternalId[external] = task.TaskId;
            _sequence = Math.Max(_sequence, task.Sequence);
        }
    }

    /// <summary>Finds a task by its id or by its external id (Kling accepts either), counted as a poll.</summary>
    internal SimulatedTask? Find(string id)
    {
        Interlocked.Increment(ref Counters.Polls);
        return Peek(id);
    }

    /// <summary>Finds a task without counting a poll.</summary>
    public SimulatedTask? Peek(string id)
    {
        if (_tasks.TryGetValue(id, out var t)) return t;
        return _byExternalId.TryGetValue(id, out var tid) ? _tasks.GetValueOrDefault(tid) : null;
    }

    /// <summary>The account's tasks, newest first, optionally only those created on one path.</summary>
    internal IEnumerable<SimulatedTask> Newest(string? endpoint = null) =>
        _tasks.Values.Where(t => endpoint is null || t.Endpoint == endpoint).OrderByDescending(t => t.Sequence);

    /// <summary>Issues a Chanjing token; the previous one stops being accepted at once.</summary>
    internal SimulatedAccessToken IssueToken()
    {
        Interlocked.Increment(ref Counters.TokenRequests);
        var token = new SimulatedAccessToken(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
            _clock.GetUtcNow() + TokenLifetime);
        Volatile.Write(ref _token, token);
        return token;
    }

    /// <summary>The Chanjing access token in force, null before the first: a test searches for it where it must not be.</summary>
    public string? CurrentAccessToken => Volatile.Read(ref _token)?.Token;

    internal bool AcceptsToken(string token) =>
        Volatile.Read(ref _token) is { } current && current.Token == token && _clock.GetUtcNow() < current.ExpiresAt;
}
