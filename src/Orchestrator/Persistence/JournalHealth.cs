using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Orchestrator.Hosting;

namespace Orchestrator.Persistence;

/// <summary>
/// Whether the journal takes writes now, as its own writes show it (one per actor system: <see cref="OrchestratorJournal"/>
/// reports every write batch). It is failing while a write has been under way for longer than <see cref="StallAfter"/>
/// (the file locked, the disk stalled, more writes than it takes) or since a write failed with none succeeding after
/// (the circuit breaker open, the database down). The accept path asks it first, so a submit is refused with a 503 at
/// once instead of waiting out a write that cannot be made (issue 21).
/// </summary>
internal sealed class JournalHealth : IExtension
{
    /// <summary>A write under way this long means the journal is not keeping up: a healthy one takes milliseconds.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(3);

    /// <summary>While the journal fails, one submit this often is let through to find out whether it is back.</summary>
    public static readonly TimeSpan TrialEvery = TimeSpan.FromSeconds(1);

    /// <summary>What a refused client is told to wait.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<long, long> _underWay = new(); // write number → when it started (Stopwatch ticks)
    private long _writes;
    private long _failures;
    private long _lastTrial;
    private volatile string? _failure; // why the last write failed, until one succeeds

    /// <summary>The health of <paramref name="system"/>'s orchestrator journal.</summary>
    public static JournalHealth For(ActorSystem system) => system.WithExtension<JournalHealth, JournalHealthProvider>();

    /// <summary>Refuses a new write when <see cref="Admits"/> says no: nothing has been stored.</summary>
    /// <exception cref="JournalUnavailableException">The journal cannot take it now.</exception>
    public void EnsureAdmits()
    {
        if (!Admits(out var problem))
            throw new JournalUnavailableException($"The journal cannot store anything now: {problem}. Nothing was stored; try again in {RetryAfter.TotalSeconds:0} s.", RetryAfter);
    }

    /// <summary>
    /// Waits while <see cref="Admits"/> says no, up to <paramref name="atMost"/>: back-pressure for a caller that streams
    /// (<c>SubmitManyAsync</c>) rather than a refusal, since a slow write or a trial a second later usually clears it.
    /// </summary>
    /// <exception cref="JournalUnavailableException">The journal still could not take a write after <paramref name="atMost"/>.</exception>
    public async Task WaitUntilAdmitsAsync(TimeSpan atMost, CancellationToken ct)
    {
        var waiting = Stopwatch.StartNew();
        string? problem;
        while (!Admits(out problem))
        {
            if (waiting.Elapsed >= atMost) break;
            await Task.Delay(PollWhileWaiting, ct);
        }
        if (problem is not null && waiting.Elapsed >= atMost)
            throw new JournalUnavailableException($"The journal cannot store anything now ({problem}) and has not for {atMost.TotalSeconds:0} s. Nothing more was stored; try again later.", RetryAfter);
    }

    private static readonly TimeSpan PollWhileWaiting = TimeSpan.FromMilliseconds(50);

    /// <summary>Writes that failed since the start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>A write batch starts: the number to report its end with.</summary>
    public long Started()
    {
        var n = Interlocked.Increment(ref _writes);
        _underWay[n] = Stopwatch.GetTimestamp();
        return n;
    }

    public void Succeeded(long write)
    {
        _underWay.TryRemove(write, out _);
        _failure = null;
    }

    public void Failed(long write, Exception cause)
    {
        _underWay.TryRemove(write, out _);
        Interlocked.Increment(ref _failures);
        _failure = $"a journal write failed ({cause.GetType().Name})";
    }

    /// <summary>Why the journal cannot take a write now, or null when it can.</summary>
    public string? Problem()
    {
        var oldest = long.MaxValue;
        foreach (var started in _underWay.Values) oldest = Math.Min(oldest, started);
        if (oldest != long.MaxValue && Stopwatch.GetElapsedTime(oldest) is var waited && waited > StallAfter)
            return $"a journal write has been under way for {waited.TotalSeconds:0.0} s";
        return _failure;
    }

    /// <summary>
    /// Whether a new write may be tried: yes while the journal is healthy; while it fails, one caller per
    /// <see cref="TrialEvery"/> (when no write is stalled), whose write shows whether it is back.
    /// </summary>
    public bool Admits(out string? problem)
    {
        problem = Problem();
        if (problem is null) return true;
        if (_failure is null || problem != _failure) return false; // a write is stalled: another would only wait behind it
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastTrial);
        return Stopwatch.GetElapsedTime(last, now) >= TrialEvery && Interlocked.CompareExchange(ref _lastTrial, now, last) == last;
    }

    private sealed class JournalHealthProvider : ExtensionIdProvider<JournalHealth>
    {
        public override JournalHealth CreateExtension(ExtendedActorSystem system) => new();
    }
}
