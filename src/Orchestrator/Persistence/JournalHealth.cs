using System.Collections.Concurrent;
using Akka.Actor;
using Orchestrator.Hosting;

namespace Orchestrator.Persistence;

/// <summary>
/// Whether the journal takes writes now, as its own writes show it (one per actor system: <see cref="OrchestratorJournal"/>
/// reports every write batch). It is failing while a write has been under way for longer than <see cref="StallAfter"/>
/// (the file locked, the disk stalled, more writes than it takes) or since a write failed with none succeeding after
/// (the circuit breaker open, the database down). The accept path asks it first, so a submit is refused with a 503 at
/// once instead of waiting out a write that cannot be made (issue 21).
/// A single task's acceptance is held to a tighter bound (<see cref="OneTaskQueuedAtMost"/>): its client waits for the
/// write, so a queue it would join is a wait it would see.
/// </summary>
internal sealed class JournalHealth(TimeProvider clock) : IExtension
{
    /// <summary>A write under way this long means the journal is not keeping up: a healthy one takes milliseconds.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A single task is accepted on its own (<c>POST /v1/tasks</c>) only while the journal's queue is short: fewer than
    /// <see cref="OneTaskQueueAtLeast"/> writes under way, or the oldest of them under way no longer than this. The journal
    /// writes in order, so the oldest write's age is about what a write joining now would wait, and the client waits for
    /// its write. Refusing only at <see cref="StallAfter"/> let 3 s of 500 POST/s (about 1,500) join the queue first, and
    /// they waited up to the journal's 10 s call timeout (measured: p99 10 s, with 83–88% refused anyway).
    /// </summary>
    public static readonly TimeSpan OneTaskQueuedAtMost = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The writes under way that make a queue rather than a slow disk: one fsync that stalls with a few writes waiting
    /// delays the next one as much whether it is refused and retried or waits, so it is let in.
    /// </summary>
    public const int OneTaskQueueAtLeast = 100;

    /// <summary>What a client refused because writes queue (not because they stall or fail) is told to wait.</summary>
    public static readonly TimeSpan RetryAfterQueueing = TimeSpan.FromSeconds(1);

    /// <summary>While the journal fails, one submit this often is let through to find out whether it is back.</summary>
    public static readonly TimeSpan TrialEvery = TimeSpan.FromSeconds(1);

    /// <summary>What a refused client is told to wait.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<long, long> _underWay = new(); // write number → when it started (the clock's timestamp)
    private long _writes;
    private long _underWayCount; // _underWay's size, read on every acceptance (the dictionary's own count takes its locks)
    private long _failures;
    private long _lastTrial;
    private volatile string? _failure; // why the last write failed, until one succeeds

    /// <summary>The health of <paramref name="system"/>'s orchestrator journal.</summary>
    public static JournalHealth For(ActorSystem system) => system.WithExtension<JournalHealth, JournalHealthProvider>();

    /// <summary>Refuses a new write when <see cref="Admits(out string?)"/> says no: nothing has been stored.</summary>
    /// <exception cref="JournalUnavailableException">The journal cannot take it now.</exception>
    public void EnsureAdmits() => EnsureAdmits(OldestUnderWay());

    private void EnsureAdmits(TimeSpan? oldestUnderWay)
    {
        if (!Admits(oldestUnderWay, out var problem))
            throw new JournalUnavailableException($"The journal cannot store anything now: {problem}. Nothing was stored; try again in {RetryAfter.TotalSeconds:0} s.", RetryAfter);
    }

    /// <summary>
    /// Refuses one task's acceptance when <see cref="Admits(out string?)"/> says no, or when the journal's writes queue: at least
    /// <see cref="OneTaskQueueAtLeast"/> under way, the oldest for longer than <see cref="OneTaskQueuedAtMost"/>.
    /// Nothing has been stored.
    /// </summary>
    /// <exception cref="JournalUnavailableException">The journal cannot take it now, or not soon enough.</exception>
    public void EnsureAdmitsOneTask()
    {
        // One look at the writes under way for both checks: with a queue this is a scan of hundreds, on every request.
        var oldest = OldestUnderWay();
        EnsureAdmits(oldest);
        var queued = Interlocked.Read(ref _underWayCount);
        if (queued >= OneTaskQueueAtLeast && oldest is { } waited && waited > OneTaskQueuedAtMost)
            throw new JournalUnavailableException(
                $"The journal is behind: {queued:N0} writes queue, the oldest for {waited.TotalSeconds:0.0} s. Nothing was stored; try again in {RetryAfterQueueing.TotalSeconds:0} s.",
                RetryAfterQueueing);
    }

    /// <summary>
    /// Waits while <see cref="Admits(out string?)"/> says no, up to <paramref name="atMost"/>: back-pressure for a caller that streams
    /// (<c>SubmitManyAsync</c>) rather than a refusal, since a slow write or a trial a second later usually clears it.
    /// </summary>
    /// <exception cref="JournalUnavailableException">The journal still could not take a write after <paramref name="atMost"/>.</exception>
    public async Task WaitUntilAdmitsAsync(TimeSpan atMost, CancellationToken ct)
    {
        var since = clock.GetTimestamp();
        string? problem;
        while (!Admits(out problem))
        {
            if (clock.GetElapsedTime(since) >= atMost) break;
            await Task.Delay(PollWhileWaiting, clock, ct);
        }
        if (problem is not null && clock.GetElapsedTime(since) >= atMost)
            throw new JournalUnavailableException($"The journal cannot store anything now ({problem}) and has not for {atMost.TotalSeconds:0} s. Nothing more was stored; try again later.", RetryAfter);
    }

    private static readonly TimeSpan PollWhileWaiting = TimeSpan.FromMilliseconds(50);

    /// <summary>Write batches started since the start (one per journal round trip an actor waits for).</summary>
    public long WritesStarted => Interlocked.Read(ref _writes);

    /// <summary>Writes that failed since the start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>A write batch starts: the number to report its end with.</summary>
    public long Started()
    {
        var n = Interlocked.Increment(ref _writes);
        _underWay[n] = clock.GetTimestamp();
        Interlocked.Increment(ref _underWayCount);
        return n;
    }

    public void Succeeded(long write)
    {
        Ended(write);
        _failure = null;
    }

    public void Failed(long write, Exception cause)
    {
        Ended(write);
        Interlocked.Increment(ref _failures);
        _failure = $"a journal write failed ({cause.GetType().Name})";
    }

    private void Ended(long write)
    {
        if (_underWay.TryRemove(write, out _)) Interlocked.Decrement(ref _underWayCount);
    }

    /// <summary>Why the journal cannot take a write now, or null when it can.</summary>
    public string? Problem() => Problem(OldestUnderWay());

    private string? Problem(TimeSpan? oldestUnderWay)
    {
        if (oldestUnderWay is { } waited && waited > StallAfter)
            return $"a journal write has been under way for {waited.TotalSeconds:0.0} s";
        return _failure;
    }

    /// <summary>How long the oldest write still under way has been, or null when none is.</summary>
    private TimeSpan? OldestUnderWay()
    {
        var oldest = long.MaxValue;
        foreach (var started in _underWay.Values) oldest = Math.Min(oldest, started);
        return oldest == long.MaxValue ? null : clock.GetElapsedTime(oldest);
    }

    /// <summary>
    /// Whether a new write may be tried: yes while the journal is healthy; while it fails, one caller per
    /// <see cref="TrialEvery"/> (when no write is stalled), whose write shows whether it is back.
    /// </summary>
    public bool Admits(out string? problem) => Admits(OldestUnderWay(), out problem);

    private bool Admits(TimeSpan? oldestUnderWay, out string? problem)
    {
        problem = Problem(oldestUnderWay);
        if (problem is null) return true;
        if (_failure is null || problem != _failure) return false; // a write is stalled: another would only wait behind it
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastTrial);
        return clock.GetElapsedTime(last, now) >= TrialEvery && Interlocked.CompareExchange(ref _lastTrial, now, last) == last;
    }

    private sealed class JournalHealthProvider : ExtensionIdProvider<JournalHealth>
    {
        public override JournalHealth CreateExtension(ExtendedActorSystem system) => new(TimeProvider.System);
    }
}
