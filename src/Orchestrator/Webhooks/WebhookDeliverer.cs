using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Events;
using Orchestrator.Persistence;
using Orchestrator.Telemetry;

namespace Orchestrator.Webhooks;

/// <summary>
/// Delivers the completion feed to one endpoint: a thin persistent actor around <see cref="DeliveryLedger"/>,
/// <see cref="OffsetWindow"/> and <see cref="DeliveryDecider"/>. It reads the completion stream every endpoint shares
/// (<see cref="CompletionBroadcast"/>) after its committed offset with backpressure (at most <c>MaxInFlight</c> attempts
/// at once), journals only what did not arrive on the first attempt, and commits its offset at most once a second.
/// After a restart it re-reads from the committed offset (so a few completions may arrive twice, with the same
/// <c>webhook-id</c>) and resumes pending retries at their times.
/// <para>
/// The built-in <c>task-states</c> deliverer (<see cref="DeliveryTarget.FollowsStates"/>) follows the state changes of tasks
/// whose webhook receives every state, and keeps each task's changes in order: a change whose task has an earlier one in
/// flight or pending is journaled as pending behind it (0 attempts) and is first tried once that one is settled.
/// </para>
/// </summary>
internal sealed class WebhookDeliverer : ReceivePersistentActor, IWithTimers
{
    public const string JournalTag = "webhook";
    private const string CommitTimer = "commit";
    private const string RetryTimer = "retry";
    private const string StreamTimer = "stream";
    private static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);
    // Long waits are re-armed in steps, so a wall-clock jump or a long schedule never leaves one far-off timer.
    private static readonly TimeSpan MaxTimerStep = TimeSpan.FromMinutes(1);

    private sealed record StreamStarted(int Gen);
    private sealed record StreamElement(int Gen, TaskCompletion Completion);
    private sealed record StreamEnded(int Gen, Exception? Cause);
    private sealed record StreamAck { public static readonly StreamAck Instance = new(); }
    private sealed record RestartStream;
    private sealed record LookUpStart;
    private sealed record StartFound(long Offset);
    private sealed record StartNotFound(string Why);
    private sealed record RetryDue;
    private sealed record CommitDue;
    private sealed record AttemptDone(DeliveryJob Job, AttemptOutcome Outcome);
    private sealed record DeliveryJob(string EventId, long Offset, string TaskId, string Type, string Body, string? Url, int Attempts, int Step, bool FromStream)
    {
        /// <summary>The task's tenant, for the delivery's span (known for a completion read from the stream).</summary>
        public string? Tenant { get; init; }
    }

    private readonly WebhookRuntime _rt;
    private readonly DeliveryTarget _target;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // Streams run on the actor's own materializer, so they stop with it.
    private readonly IMaterializer _materializer = Context.Materializer();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _retrying = [];
    // Ordered targets: per task, its attempts in flight and its waiting changes whose write is under way.
    private readonly Dictionary<string, int> _busyTasks = [];
    private DeliveryLedger _ledger = DeliveryLedger.Empty;
    private OffsetWindow? _window; // null until the start offset is known
    private bool _enabled;
    private int _gen;
    private UniqueKillSwitch? _stream;
    private IActorRef? _unacked; // the stream waits for this ack while attempts are at the limit
    private int _inFlight;

    public ITimerScheduler Timers { get; set; } = null!;

    public WebhookDeliverer(WebhookRuntime runtime, DeliveryTarget target, bool enabled)
    {
        _rt = runtime;
        _target = target;
        _enabled = enabled;
        JournalPluginId = OrchestratorPersistence.JournalPluginId;
        SnapshotPluginId = OrchestratorPersistence.SnapshotPluginId;

        Recover<SnapshotOffer>(o => { if (o.Snapshot is WebhookLedgerSnapshot s) _ledger = DeliveryLedger.From(s); });
        Recover<IWebhookDeliveryEvent>(e => _ledger = _ledger.Apply(e));
        Recover<RecoveryCompleted>(_ => Start());

        Command<StreamStarted>(s => { if (s.Gen == _gen) Sender.Tell(StreamAck.Instance); });
        Command<StreamElement>(OnElement);
        Command<StreamEnded>(OnStreamEnded);
        Command<RestartStream>(_ => { if (_enabled && _stream is null) StartStream(); });
        Command<LookUpStart>(_ => LookUpStartOffset());
        Command<StartFound>(f => Write(new WebhookOffsetCommitted(Id, f.Offset, _rt.Now), Begin));
        Command<StartNotFound>(f =>
        {
            _log.Warning("Webhook {0}: where its deliveries start is not known yet ({1}); asking again", Id, f.Why);
            Timers.StartSingleTimer(StreamTimer, new LookUpStart(), RestartDelay);
        });
        Command<AttemptDone>(OnAttemptDone);
        Command<RetryDue>(_ => StartDueRetries());
        Command<CommitDue>(_ => Commit(() => { }));
        Command<FlushWebhooks>(_ =>
        {
            var sender = Sender;
            Commit(() => sender.Tell(WebhooksFlushed.Instance));
        });
        Command<EndpointEnabledChanged>(c => SetEnabled(c.Enabled));
        Command<ListDeliveries>(q => Sender.Tell(new DeliveryList(_ledger.List(q.State).Select(d => d.View()).ToList())));
        Command<ReplayDeliveries>(Replay);
        Command<SaveSnapshotSuccess>(s =>
        {
            // Keep the snapshot's own event, so the journal always knows the highest sequence number.
            DeleteMessages(s.Metadata.SequenceNr - 1);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("Webhook {0}: snapshot failed ({1})", Id, f.Cause.GetType().Name));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Webhook {0}: old journal events not deleted ({1})", Id, f.Cause.GetType().Name));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Webhook {0}: old snapshots not deleted ({1})", Id, f.Cause.GetType().Name));
    }

    public static Props Props(WebhookRuntime runtime, DeliveryTarget target, bool enabled) =>
        Akka.Actor.Props.Create(typeof(WebhookDeliverer), runtime, target, enabled);

    public static string PersistenceIdFor(string endpointId) => "webhook-" + endpointId;

    public override string PersistenceId => PersistenceIdFor(_target.EndpointId);

    private string Id => _target.EndpointId;

    private void Start()
    {
        Timers.StartPeriodicTimer(CommitTimer, new CommitDue(), CommitInterval);
        // The task-webhooks endpoint reads from the very start: any task may carry a webhookUrl.
        if (_ledger.CommittedOffset is null && !_target.IsTaskWebhooks) LookUpStartOffset();
        else Begin();
    }

    /// <summary>
    /// A new endpoint receives what completes after its registration: the registration event's position in the journal
    /// (the same ordering the feed's offsets use) is its first committed offset.
    /// </summary>
    private void LookUpStartOffset()
    {
        var seqNr = _target.RegisteredSeqNr ?? 0;
        OrchestratorPersistence.ReadJournal(Context.System)
            .CurrentEventsByPersistenceId(WebhookRegistry.RegistryPersistenceId, seqNr, seqNr)
            .RunWith(Sink.FirstOrDefault<EventEnvelope>(), _materializer)
            .PipeTo(Self,
                success: e => e?.Offset is Sequence s ? new StartFound(s.Value) : new StartNotFound("registration event not found"),
                failure: ex => new StartNotFound(ex.GetType().Name));
    }

    private void Begin()
    {
        _window = new OffsetWindow(_ledger.CommittedOffset ?? 0);
        if (!_enabled) return;
        StartStream();
        StartDueRetries();
    }

    private void SetEnabled(bool enabled)
    {
        if (enabled == _enabled) return;
        _enabled = enabled;
        if (!enabled)
        {
            StopStream();
            Timers.Cancel(RetryTimer);
            Timers.Cancel(StreamTimer);
        }
        else if (_window is not null)
        {
            // Resumes where it stopped: completions that ended while it was disabled are delivered now.
            StartStream();
            StartDueRetries();
        }
    }

    private void StartStream()
    {
        StopStream();
        var gen = ++_gen;
        _stream = (_target.FollowsStates ? _rt.States! : _rt.Completions).Source(_window!.LastSeen)
            .Select(c => new StreamElement(gen, c))
            .ViaMaterialized(KillSwitches.Single<StreamElement>(), Keep.Right)
            .To(Sink.ActorRefWithAck<StreamElement>(Self, new StreamStarted(gen), StreamAck.Instance, new StreamEnded(gen, null), ex => new StreamEnded(gen, ex)))
            .Run(_materializer);
    }

    private void StopStream()
    {
        _stream?.Shutdown();
        _stream = null;
        _unacked = null;
        _gen++;
    }

    private void OnStreamEnded(StreamEnded e)
    {
        if (e.Gen != _gen) return;
        _stream = null;
        _unacked = null;
        _log.Warning("Webhook {0}: the completion stream ended ({1}); restarting it", Id, e.Cause?.GetType().Name ?? "completed");
        if (_enabled) Timers.StartSingleTimer(StreamTimer, new RestartStream(), RestartDelay);
    }

    private void OnElement(StreamElement element)
    {
        if (element.Gen != _gen || _window is null) return; // from a stream that was stopped
        var c = element.Completion;
        var url = _target.UrlFor(c);
        if (url is null || _ledger.Deliveries.ContainsKey(c.EventId))
        {
            _window.Seen(c.Offset);
            Sender.Tell(StreamAck.Instance);
            return;
        }
        _window.Open(c.Offset);
        var body = (_target.IsTaskWebhooks ? _rt.TaskBodies.BodyFor(c) : null) ?? WebhookPayload.BodyFor(c);
        var job = new DeliveryJob(c.EventId, c.Offset, c.Task.Id, c.Type, body, _target.IsTaskWebhooks ? url : null, 1, 1, FromStream: true)
        {
            Tenant = c.Task.Metadata?.GetValueOrDefault("tenant"),
        };
        if (_target.FollowsStates && MustWait(c.Task.Id)) WaitBehind(job);
        else Attempt(job);
        if (_inFlight < _target.MaxInFlight) Sender.Tell(StreamAck.Instance);
        else _unacked = Sender;
    }

    /// <summary>An ordered target's task has a change in flight, being journaled, or pending: a later one waits behind it.</summary>
    private bool MustWait(string taskId) => _busyTasks.ContainsKey(taskId) || _ledger.HasPendingFor(taskId);

    /// <summary>
    /// Journals a change as pending with no attempt made: it keeps its place durably (its offset may be committed past it)
    /// and becomes due once the changes before it are settled (<see cref="DeliveryLedger.Due"/>).
    /// </summary>
    private void WaitBehind(DeliveryJob job)
    {
        Busy(job.TaskId, +1);
        var now = _rt.Now;
        Write(new WebhookDeliveryPending(Id, job.EventId, job.Offset, job.TaskId, job.Type, job.Body, job.Url, 0, 0, null, null, now, now), () => Settle(job));
    }

    private void Busy(string taskId, int change)
    {
        if (!_target.FollowsStates) return;
        var count = _busyTasks.GetValueOrDefault(taskId) + change;
        if (count > 0) _busyTasks[taskId] = count;
        else _busyTasks.Remove(taskId);
    }

    /// <summary>An ordered target's tasks that have a change in flight or being journaled (the ledger skips their pending ones); null for other targets.</summary>
    private Func<string, bool>? BusyTask => _target.FollowsStates ? _busyTasks.ContainsKey : null;

    private void Attempt(DeliveryJob job)
    {
        Busy(job.TaskId, +1);
        _inFlight++;
        if (!job.FromStream) _retrying.Add(job.EventId);
        var span = WebhookDeliverySpan.Start(Id, job.EventId, job.TaskId, _target.Tenant ?? job.Tenant, job.Attempts, out var previous);
        Task<AttemptOutcome> send;
        try { send = _rt.Sender.SendAsync(job.Url ?? _target.Url!, job.EventId, job.Body, _target.Key, _stopping.Token); }
        finally { System.Diagnostics.Activity.Current = previous; }
        WebhookDeliverySpan.Ended(send, span).PipeTo(Self, success: o => new AttemptDone(job, o), failure: ex => new AttemptDone(job, AttemptOutcome.Failed(ex.GetType().Name)));
    }

    private void OnAttemptDone(AttemptDone done)
    {
        _inFlight--;
        var (job, outcome) = (done.Job, done.Outcome);
        var known = _ledger.Deliveries.ContainsKey(job.EventId);
        var now = _rt.Now;
        switch (DeliveryDecider.Decide(outcome, job.Step, _rt.Policy, mayDisable: !_target.IsTaskWebhooks, Random.Shared.NextDouble(), now))
        {
            case DeliveryDecision.Delivered when known:
                Write(new WebhookDeliverySucceeded(Id, job.EventId, job.Attempts, now), () => Settle(job));
                break;
            case DeliveryDecision.Delivered:
                Settle(job);
                break;
            case DeliveryDecision.RetryAt retry:
                Write(Pending(job, outcome, now, retry.At, known), () => Settle(job));
                break;
            case DeliveryDecision.GiveUp:
                Telemetry.OrchestratorMetrics.WebhookGaveUp();
                _log.Warning("Webhook {0}: delivery {1} of task {2} failed after {3} attempts ({4}); kept for replay", Id, job.EventId, job.TaskId, job.Attempts, outcome);
                Write(new WebhookDeliveryFailed(Id, job.EventId, job.Offset, job.TaskId, job.Type, known ? null : job.Body, known ? null : job.Url,
                    job.Attempts, outcome.Status, outcome.Error, now), () => Settle(job));
                break;
            case DeliveryDecision.DisableEndpoint disable:
                // The delivery waits, pending, until the endpoint is enabled again.
                Write(Pending(job, outcome, now, now, known), () => Settle(job));
                if (_enabled)
                {
                    _log.Warning("Webhook {0}: the receiver answered {1}; disabling the endpoint", Id, disable.Reason);
                    SetEnabled(false);
                    Context.Parent.Tell(new DisableWebhook(Id, disable.Reason));
                }
                break;
        }
    }

    /// <summary>
    /// The attempt's result is applied to the ledger (journaled when needed): only now may the delivery be picked up
    /// again as due, and its offset count as closed.
    /// </summary>
    private void Settle(DeliveryJob job)
    {
        Busy(job.TaskId, -1);
        _retrying.Remove(job.EventId);
        if (job.FromStream) _window?.Close(job.Offset);
        Flow();
    }

    private WebhookDeliveryPending Pending(DeliveryJob job, AttemptOutcome outcome, DateTimeOffset now, DateTimeOffset next, bool known) =>
        new(Id, job.EventId, job.Offset, job.TaskId, job.Type, known ? null : job.Body, known ? null : job.Url,
            job.Attempts, job.Step, outcome.Status, outcome.Error, now, next);

    /// <summary>Room for another attempt: due retries first (they are older), then the waiting stream.</summary>
    private void Flow()
    {
        if (!_enabled) return;
        StartDueRetries(); // also re-arms the retry timer
        if (_unacked is not null && _inFlight < _target.MaxInFlight)
        {
            _unacked.Tell(StreamAck.Instance);
            _unacked = null;
        }
    }

    private void StartDueRetries()
    {
        if (!_enabled || _window is null) return;
        foreach (var d in _ledger.Due(_rt.Now, BusyTask).ToList())
        {
            if (_inFlight >= _target.MaxInFlight) break;
            if (_retrying.Contains(d.EventId)) continue;
            Attempt(new DeliveryJob(d.EventId, d.Offset, d.TaskId, d.Type, d.Body, d.Url, d.Attempts + 1, d.Step + 1, FromStream: false));
        }
        ScheduleRetry();
    }

    private void ScheduleRetry()
    {
        // At the limit, the next finished attempt looks for due retries (Flow); no timer needed.
        if (!_enabled || _inFlight >= _target.MaxInFlight) return;
        if (_ledger.NextDue(_retrying, BusyTask) is not { } next) { Timers.Cancel(RetryTimer); return; }
        var wait = next - _rt.Now;
        Timers.StartSingleTimer(RetryTimer, new RetryDue(), wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < MaxTimerStep ? wait : MaxTimerStep);
    }

    private void Replay(ReplayDeliveries r)
    {
        var targets = _ledger.ReplayTargets(r.EventId);
        if (r.EventId is not null && targets.Count == 0) { Sender.Tell(new DeliveryNotFound(Id, r.EventId)); return; }
        if (targets.Count == 0) { Sender.Tell(new DeliveriesReplayed(0)); return; }
        var sender = Sender;
        Write(new WebhookDeliveriesReplayed(Id, targets, _rt.Now), () =>
        {
            sender.Tell(new DeliveriesReplayed(targets.Count));
            StartDueRetries();
        });
    }

    /// <summary>Journals the watermark when it moved (every second at most, and on shutdown).</summary>
    private void Commit(Action then)
    {
        if (_window is { Watermark: var w } && w > (_ledger.CommittedOffset ?? 0)) Write(new WebhookOffsetCommitted(Id, w, _rt.Now), then);
        else then();
    }

    /// <summary>
    /// Journals <paramref name="e"/> and then runs <paramref name="then"/>. Without holding back other messages meanwhile
    /// (PersistAsync): what becomes due while one write is under way goes to the journal together, in the next write,
    /// so an endpoint that refuses every delivery costs one write per round trip to the journal, not one per completion.
    /// Nothing reads the ledger for a delivery whose write is under way: its offset stays open and its retry unscheduled
    /// until <paramref name="then"/> settles it.
    /// </summary>
    private void Write(IWebhookDeliveryEvent e, Action then)
    {
        PersistAsync(e, _ =>
        {
            _ledger = _ledger.Apply(e);
            then();
            if (LastSequenceNr % _rt.Options.SnapshotEveryEvents == 0) SaveSnapshot(_ledger.ToSnapshot(Id));
        });
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }
}
