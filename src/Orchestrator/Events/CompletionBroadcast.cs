using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;

namespace Orchestrator.Events;

/// <summary>
/// One live completion stream shared by many readers (the webhook deliverers): one live journal query, and one read of
/// each completion's task view, however many readers follow it. A few hundred readers with a live query each asked the
/// journal over a thousand times a second and could open its circuit breaker (issue 21, probe 2).
/// <para>
/// The most recent completions are kept in memory. Each reader keeps its own position and reads at its own pace, as it
/// did from its own stream: a reader that asks for what is no longer kept catches up with short one-off queries of the
/// feed, then joins the shared stream again. Positions and order are the feed's offsets, so nothing is missed.
/// </para>
/// </summary>
internal sealed class CompletionBroadcast
{
    /// <summary>How many recent completions are kept for readers that are a little behind.</summary>
    public const int DefaultCapacity = 2048;
    private const int PageSize = 256;
    // A reader whose stream was stopped while it waited leaves its wait here until then at most.
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(20);

    private readonly Func<long, Source<TaskCompletion, NotUsed>> _live;
    private readonly Func<long, Source<TaskCompletion, NotUsed>> _current;
    private readonly IMaterializer _materializer;
    private readonly int _capacity;
    private readonly object _gate = new();
    private readonly List<TaskCompletion> _recent = []; // ascending offsets, all after _floor
    private readonly List<(long After, TaskCompletionSource Arrived)> _waiting = [];
    private bool _started;
    private long _floor; // every completion after it, up to _head, is in _recent
    private long _head;  // the shared stream has read the journal up to here

    /// <param name="live">The feed's live source after an offset (<see cref="CompletionFeed.Source(long)"/>).</param>
    /// <param name="current">The feed's one-off source after an offset (<see cref="CompletionFeed.CurrentSource"/>).</param>
    /// <param name="materializer">Runs the shared stream and the catch-up queries.</param>
    /// <param name="capacity">How many recent completions are kept.</param>
    public CompletionBroadcast(Func<long, Source<TaskCompletion, NotUsed>> live, Func<long, Source<TaskCompletion, NotUsed>> current,
        IMaterializer materializer, int capacity = DefaultCapacity)
    {
        _live = live;
        _current = current;
        _materializer = materializer;
        _capacity = capacity;
    }

    /// <summary>How many completions the readers read with queries of their own, because they were too far behind.</summary>
    public long CaughtUp => Interlocked.Read(ref _caughtUp);
    private long _caughtUp;

    /// <summary>
    /// Completions after <paramref name="fromOffset"/>, live (never completes), like <see cref="CompletionFeed.Source(long)"/>.
    /// Backpressure holds this reader only: the shared stream keeps reading for the others.
    /// </summary>
    public Source<TaskCompletion, NotUsed> Source(long fromOffset) =>
        Akka.Streams.Dsl.Source.UnfoldAsync(fromOffset, async after =>
            {
                var (next, page) = await NextPageAsync(after);
                return Option<(long, IReadOnlyList<TaskCompletion>)>.Create((next, page));
            })
            .SelectMany(page => page);

    /// <summary>The next completions after <paramref name="after"/>, and the position to ask from next.</summary>
    private async Task<(long Next, IReadOnlyList<TaskCompletion> Page)> NextPageAsync(long after)
    {
        Task arrived;
        long floor;
        lock (_gate)
        {
            if (!_started) StartShared(after);
            floor = _floor;
            if (after >= floor)
            {
                var page = PageAfter(after);
                if (page.Count > 0) return (page[^1].Offset, page);
                var wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((after, wait));
                arrived = wait.Task;
            }
            else arrived = Task.CompletedTask; // too far behind: caught up below
        }
        if (after < floor) return await CatchUpAsync(after, floor);
        try { await arrived.WaitAsync(LongestWait); }
        catch (TimeoutException) { lock (_gate) _waiting.RemoveAll(w => w.Arrived.Task == arrived); }
        return (after, []);
    }

    /// <summary>
    /// A page read from the journal itself. Short of a full page, the query reached the journal's end, which is past the
    /// floor (the shared stream had read it): the reader goes on from the floor, where the shared stream covers it.
    /// </summary>
    private async Task<(long, IReadOnlyList<TaskCompletion>)> CatchUpAsync(long after, long floor)
    {
        var page = await _current(after).Take(PageSize).RunWith(Sink.Seq<TaskCompletion>(), _materializer);
        Interlocked.Add(ref _caughtUp, page.Count);
        var next = page.Count > 0 ? page[^1].Offset : after;
        return (page.Count < PageSize ? Math.Max(next, floor) : next, page);
    }

    private List<TaskCompletion> PageAfter(long after)
    {
        // First kept completion after the offset: offsets ascend.
        int lo = 0, hi = _recent.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_recent[mid].Offset <= after) lo = mid + 1;
            else hi = mid;
        }
        return _recent.GetRange(lo, Math.Min(PageSize, _recent.Count - lo));
    }

    /// <summary>Started by the first reader, from where it reads; a failed query starts again where it stopped.</summary>
    private void StartShared(long from)
    {
        _started = true;
        _floor = _head = from;
        RestartSource.OnFailuresWithBackoff(() => { lock (_gate) return _live(_head); },
                RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2))
            .RunForeach(Add, _materializer);
    }

    private void Add(TaskCompletion c)
    {
        List<TaskCompletionSource> wake = [];
        lock (_gate)
        {
            if (c.Offset <= _head) return; // read again after a restart of the query
            _head = c.Offset;
            _recent.Add(c);
            // Trimmed a quarter at a time, so that adding stays cheap.
            if (_recent.Count > _capacity + _capacity / 4)
            {
                var drop = _recent.Count - _capacity;
                _floor = _recent[drop - 1].Offset;
                _recent.RemoveRange(0, drop);
            }
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                if (_waiting[i].After >= c.Offset) continue;
                wake.Add(_waiting[i].Arrived);
                _waiting.RemoveAt(i);
            }
        }
        foreach (var w in wake) w.TrySetResult();
    }
}
