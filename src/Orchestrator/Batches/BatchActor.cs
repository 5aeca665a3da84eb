using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Orchestrator.Persistence;
using Orchestrator.Tasks;
using Orchestrator.Throttling;

namespace Orchestrator.Batches;

/// <summary>
/// One batch: persists its upload a chunk at a time, then hands its tasks to their actors (through the task
/// supervisor) only as fast as each account can take them — while the account's submit queue is below about two
/// seconds of its rate. Before handing over a range it journals a mark; after a restart it hands over again the
/// tasks below the mark that the read model does not know (the crash came before their first write).
/// A task handed over counts against that room until its actor answers that its acceptance is journaled: without this a
/// fast account would see an empty queue and hand over thousands more while the journal falls ever further behind
/// (writes time out, the journal's breaker opens). Most tasks journal their acceptance with their submit
/// (<see cref="TaskSubmitted.Accepted"/>), so they wait in the throttle's queue unanswered and count twice. That only
/// halves a batch's share of the window. Counting them once (the larger of the two counts) was tried: with many small
/// batches of one account (<c>SubmitManyAsync</c>) on a loaded machine, journal writes timed out and the breaker opened,
/// which counting twice did not (docs/benchmarks.md, session 12).
/// </summary>
internal sealed class BatchActor : ReceivePersistentActor, IWithTimers
{
    public const string JournalTag = "batch";
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    private sealed record ReleaseTick;
    private sealed record CheckUnanswered;
    private sealed record Room(string Account, int Queued);
    private sealed record Recovered(IReadOnlySet<int> KnownLines);
    private sealed record LookUpKnownLines;
    private sealed record KnownLinesLookupFailed(Exception Cause);
    private sealed record CancelMoreQueued;
    private sealed record CancelWithEnded(IActorRef ReplyTo, IReadOnlySet<int> EndedLines);
    private sealed record CancelCheckFailed(IActorRef ReplyTo, Exception Cause);
    private static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(30);
    private const int CancelGroup = 500;

    private readonly BatchRuntime _rt;
    private readonly string _batchId;
    private readonly BatchState _state = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _asking;
    private int _lookupFailures;
    // Handed over, not yet answered as accepted: in hand-over order, and the set of those still unanswered.
    private readonly Queue<(string TaskId, BatchEntry Entry, DateTimeOffset At)> _handedOver = new();
    private readonly Dictionary<string, DateTimeOffset> _lastHandedOver = new();
    private readonly HashSet<string> _unanswered = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public BatchActor(BatchRuntime runtime, string batchId)
    {
        _rt = runtime;
        _batchId = batchId;
        JournalPluginId = OrchestratorPersistence.JournalPluginId;
        SnapshotPluginId = OrchestratorPersistence.SnapshotPluginId;

        Recover<IBatchEvent>(_state.Apply);
        Recover<TaskCancelledQueued>(_state.Apply);
        Recover<RecoveryCompleted>(_ => AfterRecovery());

        Command<OpenBatch>(o =>
        {
            // An idempotency key's batch that never sealed (its upload died half-way) is started over by the next upload.
            var startOver = _state.Exists && !_state.IsSealed && o.Upload is not null && o.Upload != _state.Upload;
            if (_state.Exists && !startOver) { Sender.Tell(Status()); return; }
            var sender = Sender;
            Write(new BatchOpened(_batchId, o.Atomic, _rt.Now, o.RetryOf, o.Upload), () => sender.Tell(Status()));
        });
        Command<StoreChunk>(c =>
        {
            var sender = Sender;
            if (TakenOverFrom(c.Upload)) { sender.Tell(new UploadTakenOver(_batchId)); return; }
            if (!IsOpenFor(c.Upload)) { sender.Tell(new Status.Failure(new InvalidOperationException("The batch is not open."))); return; }
            Write(new BatchChunkStored(_batchId, c.Entries), () => sender.Tell(new ChunkStored(_batchId, _state.Total)));
        });
        Command<SealBatch>(s =>
        {
            var sender = Sender;
            if (TakenOverFrom(s.Upload)) { sender.Tell(new UploadTakenOver(_batchId)); return; }
            if (!IsOpenFor(s.Upload)) { sender.Tell(Status()); return; }
            Write(new BatchSealed(_batchId, s.Accepted, [], _rt.Now, s.RejectedCount, s.ContentHash), () => { sender.Tell(Status()); StartReleasing(); });
        });
        Command<StoreWholeBatch>(w =>
        {
            if (_state.Exists) { Sender.Tell(Status()); return; } // a fresh id: only a message delivered twice finds it
            var sender = Sender;
            var at = _rt.Now;
            IBatchEvent[] events =
            [
                new BatchOpened(_batchId, w.Atomic, at, w.RetryOf),
                new BatchChunkStored(_batchId, w.Entries),
                new BatchSealed(_batchId, w.Entries.Count, [], at, w.RejectedCount),
            ];
            var left = events.Length;
            PersistAll(events, e =>
            {
                _state.Apply(e);
                if (--left == 0) { sender.Tell(Status()); StartReleasing(); }
            });
        });
        Command<AbandonBatch>(a =>
        {
            var sender = Sender;
            // An earlier upload of the key giving up must not drop the upload that took the batch over.
            if (!_state.Exists || _state.IsSealed || _state.Upload != a.Upload) { sender.Tell(Status()); return; }
            Write(new BatchAbandoned(_batchId, a.Reason, _rt.Now), () => sender.Tell(Status()));
        });
        Command<GetBatch>(_ => Sender.Tell(_state.Exists ? Status() : new BatchNotFound(_batchId)));
        Command<NoteRetried>(r =>
        {
            var sender = Sender;
            if (!_state.Exists) { sender.Tell(new BatchNotFound(_batchId)); return; }
            Write(new BatchRetried(_batchId, r.RetryBatchId, r.Lines, _rt.Now), () => sender.Tell(Status()));
        });
        Command<GetQueuedTask>(q => Sender.Tell(QueuedView(q) ?? (object)new TaskNotFound(q.TaskId)));
        Command<CancelBatch>(_ => Cancel());
        Command<CancelWithEnded>(Cancel);
        Command<CancelCheckFailed>(f => f.ReplyTo.Tell(new Status.Failure(f.Cause)));
        Command<WakeBatch>(_ => { });
        Command<ReceiveTimeout>(_ => { if (HasNoWorkLeft) Context.Parent.Tell(new BatchIdle(_batchId)); });
        Command<Recovered>(r => ReleaseMissing(r.KnownLines));
        Command<LookUpKnownLines>(_ => LookUpStartedLines());
        Command<KnownLinesLookupFailed>(f =>
        {
            // The read model may still be catching up, or the database busy: ask again later, never give the batch up.
            var delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, _lookupFailures++)));
            _log.Warning("Batch {0}: could not learn which handed-over tasks exist ({1}); asking again in {2:0}s", _batchId, f.Cause.Message, delay.TotalSeconds);
            Timers.StartSingleTimer(nameof(LookUpKnownLines), new LookUpKnownLines(), delay);
        });
        Command<ReleaseTick>(_ => AskRoom());
        Command<CheckUnanswered>(_ => HandOverAgainUnansweredBefore(_rt.Now - _rt.AcceptanceWait));
        Command<CancelMoreQueued>(_ => CancelQueued());
        Command<Room>(OnRoom);
        Command<Status.Failure>(f => { _asking = false; _log.Warning("Batch {0}: asking for queue room failed: {1}", _batchId, f.Cause.Message); });
        // Replies of the tasks handed over: each one's first write is journaled, it now waits in its throttle's queue.
        Command<TaskAcceptedReply>(r => _unanswered.Remove(r.View.Id));
        Command<IdempotencyConflict>(c =>
        {
            _unanswered.Remove(c.TaskId);
            _log.Error("Batch {0}: task {1} exists with another request", _batchId, c.TaskId);
        });
        Command<CancelReply>(_ => { });
        Command<TaskNotFound>(_ => { });
    }

    public static Props Props(BatchRuntime runtime, string batchId) => Akka.Actor.Props.Create(typeof(BatchActor), runtime, batchId);

    public override string PersistenceId => BatchIds.PersistenceId(_batchId);

    // Idle this long (timer ticks count as work), a batch with nothing left to do leaves memory; asked again, it recovers.
    protected override void PreStart()
    {
        base.PreStart();
        Context.SetReceiveTimeout(TimeSpan.FromSeconds(Math.Max(1, _rt.Options.Tasks.PassivateAfterSeconds)));
    }

    /// <summary>Nothing to hand over, no hand-over unanswered, no queued task's cancellation left to write (or no batch at all).</summary>
    private bool HasNoWorkLeft => !_state.Exists || _state.AbandonedReason is not null
        || (_state.IsSealed && !_state.IsReleasing && _unanswered.Count == 0
            && (!_state.IsCancelled || _state.QueuedFrom + _state.QueuedCancelled >= _state.Total));

    private void AfterRecovery()
    {
        if (!_state.Exists) return;
        if (_state.IsCancelled) { CancelQueued(); return; }
        if (_state.IsSealed && !_state.IsCancelled && _state.AbandonedReason is null && _state.Mark > 0)
        {
            // Tasks below the mark were handed over, but a crash may have come before some wrote their first event.
            LookUpStartedLines();
        }
        else if (_state.IsReleasing) StartReleasing();
    }

    private void LookUpStartedLines() =>
        _rt.Reads.BatchLinesAsync(_batchId, endedOnly: false, CancellationToken.None)
            .PipeTo(Self, success: lines => new Recovered(lines), failure: ex => new KnownLinesLookupFailed(ex));

    private void ReleaseMissing(IReadOnlySet<int> known)
    {
        var missing = 0;
        for (var i = 0; i < Math.Min(_state.Mark, _state.Total); i++)
        {
            var entry = _state.EntryAt(i);
            if (known.Contains(entry.Line)) continue;
            HandOver(entry, fresh: false);
            missing++;
        }
        _state.MarkReleased(_state.Mark);
        if (missing > 0) _log.Info("Batch {0}: handed over again {1} tasks a restart interrupted", _batchId, missing);
        StartReleasing();
    }

    private void StartReleasing()
    {
        if (!_state.IsReleasing) return;
        Self.Tell(new ReleaseTick());
        Timers.StartPeriodicTimer("release", new ReleaseTick(), Tick);
    }

    private void AskRoom()
    {
        if (!_state.IsReleasing) { Timers.Cancel("release"); return; }
        if (_asking) return;
        _asking = true;
        var account = _state.EntryAt(_state.Released).Request.Provider;
        _rt.Throttles.Ask<QueueRoom>(new AskQueueRoom(account), TimeSpan.FromSeconds(10))
            .PipeTo(Self, success: r => new Room(account, r.Queued));
    }

    private void OnRoom(Room room)
    {
        _asking = false;
        if (!_state.IsReleasing) return;
        HandOverAgainUnansweredBefore(_rt.Now - _rt.AcceptanceWait);
        var take = _rt.WindowFor(room.Account) - room.Queued - _unanswered.Count;
        if (take <= 0) return;
        var from = _state.Released;
        var upTo = from;
        while (upTo < _state.Total && upTo - from < take && string.Equals(_state.EntryAt(upTo).Request.Provider, room.Account, StringComparison.OrdinalIgnoreCase)) upTo++;
        if (upTo == from) return;
        var freshFrom = _state.Mark;
        Write(new BatchReleaseMarked(_batchId, upTo), () =>
        {
            for (var i = from; i < upTo; i++) HandOver(_state.EntryAt(i), fresh: i >= freshFrom);
            _state.MarkReleased(upTo);
            if (_state.Released < _state.Total) Self.Tell(new ReleaseTick()); // more may fit at once
        });
    }

    private void HandOver(BatchEntry entry, bool fresh)
    {
        var taskId = BatchIds.TaskId(_batchId, entry.Line);
        var now = _rt.Now;
        _unanswered.Add(taskId);
        _lastHandedOver[taskId] = now;
        _handedOver.Enqueue((taskId, entry, now));
        _rt.Supervisor.Tell(new SubmitTask(taskId, entry.Request, fresh, DurableInBatch: true));
        if (!Timers.IsTimerActive(nameof(CheckUnanswered)))
            Timers.StartPeriodicTimer(nameof(CheckUnanswered), new CheckUnanswered(), _rt.AcceptanceWait / 2);
    }

    /// <summary>
    /// A task whose first write failed (the journal refused or timed out under load) never answers, and its actor, woken
    /// again, finds nothing journaled: the hand-over was lost. So a task unanswered for <see cref="BatchRuntime.AcceptanceWait"/>
    /// is handed over again; a second hand-over of a task that did get written is answered "already accepted".
    /// </summary>
    private void HandOverAgainUnansweredBefore(DateTimeOffset cutoff)
    {
        var again = new List<BatchEntry>();
        while (_handedOver.TryPeek(out var first) && (!_unanswered.Contains(first.TaskId) || first.At < cutoff))
        {
            _handedOver.Dequeue();
            // Only the latest hand-over of a task counts: an earlier one of a task handed over again is stale.
            if (_unanswered.Contains(first.TaskId) && _lastHandedOver[first.TaskId] == first.At) again.Add(first.Entry);
            else if (!_unanswered.Contains(first.TaskId)) _lastHandedOver.Remove(first.TaskId);
        }
        foreach (var entry in again) HandOver(entry, fresh: false);
        if (again.Count > 0)
            _log.Warning("Batch {0}: handed over again {1} tasks that did not answer within {2} s", _batchId, again.Count, _rt.AcceptanceWait.TotalSeconds);
        if (_unanswered.Count == 0) Timers.Cancel(nameof(CheckUnanswered));
    }

    /// <summary>Which of its started tasks have ended the read model knows: ask it, then decide.</summary>
    private void Cancel()
    {
        if (!_state.Exists) { Sender.Tell(new BatchNotFound(_batchId)); return; }
        if (!_state.IsSealed) { Sender.Tell(new BatchCancelReply(_batchId, 0, 0, false)); return; }
        var replyTo = Sender;
        _rt.Reads.BatchLinesAsync(_batchId, endedOnly: true, CancellationToken.None).WaitAsync(ReadWait)
            .PipeTo(Self, success: lines => new CancelWithEnded(replyTo, lines), failure: ex => new CancelCheckFailed(replyTo, ex));
    }

    /// <summary>
    /// A batch whose every task has ended is answered like an ended task: nothing is written and it is not marked
    /// cancelled. Otherwise queued tasks end cancelled and only the started ones that have not ended are cancelled
    /// (tasks handed over since the read model answered count as not ended).
    /// </summary>
    private void Cancel(CancelWithEnded c)
    {
        if (_state.IsCancelled)
        {
            // Its queued tasks are, or are being, written cancelled: they count as ended.
            var winding = Enumerable.Range(0, _state.QueuedFrom).Any(i => !c.EndedLines.Contains(_state.LineAt(i)));
            c.ReplyTo.Tell(new BatchCancelReply(_batchId, 0, 0, AlreadyCancelled: true, AlreadyEnded: !winding));
            return;
        }
        var started = Math.Min(Math.Max(_state.Released, _state.Mark), _state.Total);
        var running = Enumerable.Range(0, started).Select(_state.LineAt).Where(line => !c.EndedLines.Contains(line)).ToList();
        if (started == _state.Total && running.Count == 0) { c.ReplyTo.Tell(new BatchCancelReply(_batchId, 0, 0, false, AlreadyEnded: true)); return; }
        Write(new BatchCancelled(_batchId, _rt.Now, started), () =>
        {
            Timers.Cancel("release");
            foreach (var line in running) _rt.Supervisor.Tell(new CancelTask(BatchIds.TaskId(_batchId, line)));
            c.ReplyTo.Tell(new BatchCancelReply(_batchId, _state.Total - started, running.Count, false));
            CancelQueued();
        });
    }

    /// <summary>
    /// Every task that never started ends cancelled with one event of its own (written here, in groups, resumed after
    /// a restart), so subscribers and webhooks hear of it like any other end.
    /// </summary>
    private void CancelQueued()
    {
        var from = _state.QueuedFrom + _state.QueuedCancelled;
        var to = Math.Min(_state.Total, from + CancelGroup);
        if (from >= to) return;
        var at = _rt.Now;
        var events = Enumerable.Range(from, to - from).Select(i => _state.EntryAt(i))
            .Select(e => new TaskCancelledQueued(BatchIds.TaskId(_batchId, e.Line), e.Request, at)).ToList();
        var left = events.Count;
        PersistAll(events, e =>
        {
            _state.Apply(e);
            if (--left == 0) Self.Tell(new CancelMoreQueued());
        });
    }

    private TaskView? QueuedView(GetQueuedTask q)
    {
        if (!_state.IsSealed || _state.AbandonedReason is not null || _state.FindLine(q.Line) is not { } found) return null;
        // Handed over but not yet accepted: the task has no view of its own yet, so the batch still answers for it.
        if (!_state.IsQueued(found.Index) && !_unanswered.Contains(q.TaskId)) return null;
        return QueuedTaskViews.Of(q.TaskId, found.Entry, _batchId, _state.SealedAt ?? _state.CreatedAt, _state.IsCancelled, _state.CancelledAt);
    }

    /// <summary>A later upload with the key opened the batch again after <paramref name="upload"/> did.</summary>
    private bool TakenOverFrom(string? upload) => _state.Exists && _state.Upload != upload;

    private bool IsOpenFor(string? upload) => _state.Exists && !_state.IsSealed && _state.AbandonedReason is null && _state.Upload == upload;

    private BatchStatus Status() => new(_batchId, _state.CreatedAt, _state.Total, _state.RejectedCount, _state.Released, _state.IsSealed,
        _state.IsCancelled, _state.AbandonedReason, _state.Accounts)
    {
        Tenant = _state.Tenant, RetryOf = _state.RetryOf, Retries = [.. _state.Retries], RetriedLines = new HashSet<int>(_state.RetriedLines),
        Upload = _state.Upload, ContentHash = _state.ContentHash,
    };

    private void Write(IBatchEvent e, Action then) =>
        Persist(e, _ => { _state.Apply(e); then(); });
}
