using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.Providers;
using Orchestrator.ResultFiles;
using Orchestrator.Tasks.Lifecycle;
using Orchestrator.Telemetry;
using Orchestrator.Throttling;
using Effect = Orchestrator.Tasks.Lifecycle.TaskEffect;
using In = Orchestrator.Tasks.Lifecycle.TaskInput;

namespace Orchestrator.Tasks;

/// <summary>
/// One generation task: a persistent actor that hands every message to <see cref="TaskMachine.Decide"/> and carries
/// out the effects it returns (journal writes, timers, permits, provider calls, replies). It decides nothing itself.
/// Invariant: until it ends it has exactly one pending progress timer, permit request or provider call.
/// </summary>
internal sealed partial class GenerationTask : PersistentActor, IWithTimers
{
    /// <summary>The journal tag of every task event (<see cref="OrchestratorEventTags"/>): the read model and the completion stream follow it.</summary>
    public const string JournalTag = "task";
    private const string ProgressTimer = "progress";
    private const string DeadlineTimer = "deadline";

    private readonly TaskRuntime _rt;
    private readonly string _taskId;
    private readonly bool _fresh;
    private readonly TaskWakeUps.Sleeping? _woken;
    private readonly TaskActorEnvironment _env;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TaskMemory _memory;
    private int _journalWrites;
    private bool _restarted;
    private bool _asleep;
    private bool _recoveryOwed; // sharded: recovered, and deciding it waits for the first message (GenerationTask.Cluster)
    private IActorRef? _submitter; // who asked for the accept write, until it is made
    private IActorRef? _handedOverBy; // the batch waiting for its line's acceptance to be journaled (TaskMemory.UnwrittenAcceptance)

    public ITimerScheduler Timers { get; set; } = null!;

    public GenerationTask(TaskRuntime runtime, string taskId, bool fresh, TaskWakeUps.Sleeping? woken)
    {
        _rt = runtime;
        _taskId = taskId;
        _fresh = fresh;
        _woken = woken;
        _memory = TaskMemory.For(taskId) with { State = woken?.State ?? TaskState.Empty };
        _env = new TaskActorEnvironment(runtime, taskId);
        JournalPluginId = OrchestratorPersistence.JournalPluginId;
        SnapshotPluginId = OrchestratorPersistence.SnapshotPluginId;
    }

    // Plain overrides rather than a ReceivePersistentActor's handler table, which is built anew for every actor started.
    protected override bool ReceiveRecover(object message)
    {
        switch (message)
        {
            case ITaskEvent e: _memory = _memory with { State = _memory.State.Apply(e) }; return true;
            case RecoveryCompleted when _rt.Sharded: RecoveredUnderShard(); return true;
            case RecoveryCompleted: Decide(new In.Recovered(_woken?.Resume)); return true;
            default: return false;
        }
    }

    protected override bool ReceiveCommand(object message)
    {
        if (_recoveryOwed) DecideRecoveredWith(message);
        switch (message)
        {
            case SubmitTask c:
                if (_memory.State.Request is null) _submitter = Sender;
                if (c.DurableInBatch) _handedOverBy = Sender;
                Decide(new In.Accept(c.Request, c.CreatedBy, c.DurableInBatch, c.IsFreshId));
                break;
            case GetTask: Decide(new In.Get()); break;
            case CancelTask: Decide(new In.Cancel()); break;
            case WakeTask: Decide(new In.Wake()); break;
            case ProviderCallback c:
                _rt.Timelines.Callback(_taskId, c.Snapshot.Status.ToString().ToLowerInvariant(), _rt.Now);
                Decide(new In.CallbackReceived(c.Snapshot));
                break;
            case BatchPollResult r: Decide(new In.BatchPollAnswered(r.Outcome)); break;
            case PermitGranted p: Decide(new In.PermitGranted(p.Kind, p.PermitId, p.UseBy)); break;
            case In input: Decide(input); break; // timers and piped call answers are inputs already
            case ReceiveTimeout: Decide(new In.Idle()); break;
            case GetTaskProgress: Sender.Tell(Progress()); break;
            case TaskHandOff: WakeElsewhereAndStop(); break;
            case ResendPermit r: ResendPermitIfWaiting(r.Request); break;
            case RecoveredWithoutResume: break;
            case WakeUpWritten w: OnWakeUpWritten(w); break;
            default: return false;
        }
        return true;
    }

    public static Props Props(TaskRuntime runtime, string taskId, bool fresh, TaskWakeUps.Sleeping? woken = null) =>
        Akka.Actor.Props.Create(typeof(GenerationTask), runtime, taskId, fresh, woken);

    public override string PersistenceId => TaskIds.PersistenceId(_taskId);

    // A task whose id was minted in this process has no past: skip the journal read (3× cheaper start).
    // Only its first incarnation: a supervisor restart re-creates the actor from the same Props (fresh still true)
    // after events were written, and must recover them like any later start.
    // Likewise a task woken from its sleep: its supervisor kept its state, and its last sequence number is known.
    // Any other start replays the journal, without asking the snapshot store: tasks never save snapshots.
    public override Recovery Recovery => (_fresh || _woken is not null) && !_restarted ? Recovery.None : JournalOnly;

    private static readonly Recovery JournalOnly = new(SnapshotSelectionCriteria.None);

    public override void AroundPostRestart(Exception cause, object message)
    {
        _restarted = true; // before the base starts recovery, which reads Recovery
        _memory = TaskMemory.For(_taskId); // and replays the whole journal, onto nothing kept from a sleep
        base.AroundPostRestart(cause, message);
    }

    private void Decide(In input)
    {
        var step = TaskMachine.Decide(_memory, input, _env);
        _memory = step.Memory;
        Carry(step.Effects, 0, Sender);
    }

    /// <summary>
    /// Carries out effects in order; a journal write holds back the rest until it is written. Adjacent writes are one
    /// atomic write: readers see both events or neither.
    /// </summary>
    private void Carry(IReadOnlyList<TaskEffect> effects, int from, IActorRef replyTo)
    {
        var i = from;
        while (i < effects.Count && effects[i] is not Effect.Persist) CarryOne(effects[i++], replyTo);
        if (i == effects.Count) return;
        var events = new List<ITaskEvent>();
        for (; i < effects.Count && effects[i] is Effect.Persist p; i++) events.Add(p.Event);
        var next = i;
        var persistedAt = Stopwatch.GetTimestamp();
        var left = events.Count;
        PersistAll(events, e =>
        {
            if (e is TaskAccepted or TaskSubmitted { Accepted: not null })
            {
                _submitter = null;
                OrchestratorMetrics.TaskAccepted(_memory.State.Request!.Provider);
            }
            _journalWrites++;
            OrchestratorMetrics.JournalWritten(persistedAt);
            if (--left == 0) Carry(effects, next, replyTo);
        });
    }

    private void CarryOne(TaskEffect effect, IActorRef replyTo)
    {
        var request = _memory.State.Request!;
        switch (effect)
        {
            case Effect.Reply r: replyTo.Tell(r.Message); break;
            case Effect.AnswerBatch a:
                _handedOverBy?.Tell(a.Message);
                _handedOverBy = null;
                break;
            case Effect.Publish p:
                _rt.Live.Set(p.View, LastSequenceNr);
                _rt.Timelines.Observe(p.View, _rt.Now);
                break;
            case Effect.StartProgressTimer t: Timers.StartSingleTimer(ProgressTimer, new In.ProgressDue(t.Kind), t.Delay); break;
            case Effect.CancelProgressTimer: Timers.Cancel(ProgressTimer); break;
            case Effect.StartDeadline t: Timers.StartSingleTimer(DeadlineTimer, new In.DeadlineDue(), t.Delay); break;
            case Effect.CancelAllTimers: Timers.CancelAll(); break;
            case Effect.RequestPermit r:
                var ask = new RequestPermit(request.Provider, _taskId, r.Kind, request.FairnessKey, r.Slots, r.Again);
                if (_rt.Sharded) ClusterPermitRequest(ask, request);
                _rt.Throttles.Tell(ask);
                break;
            case Effect.FinishCall f: _rt.Throttles.Tell(new CallFinished(request.Provider, f.PermitId, f.Used)); break;
            case Effect.HoldSlots h: _rt.Throttles.Tell(new SlotsHeld(request.Provider, _taskId, h.Slots)); break;
            case Effect.ReleaseSlots: if (_env.SlotCost(request) > 0) _rt.Throttles.Tell(new SlotsReleased(request.Provider, _taskId)); break;
            case Effect.ReportRateLimit r: _rt.Throttles.Tell(new RateLimitAnswered(request.Provider, r.RetryAfter)); break;
            case Effect.PollInBatch b:
                _rt.Timelines.Polled(_taskId, _rt.Now);
                _rt.Throttles.Tell(new BatchPoll(request.Provider, _taskId, b.ProviderTaskId)); break;
            case Effect.Submit s:
                Submit(request, s.Attempt, s.UseBy);
                break;
            case Effect.Query q:
                _rt.Timelines.Polled(_taskId, _rt.Now, q.IsLookup);
                Query(request, q.IsLookup, q.UseBy);
                break;
            case Effect.StoreResults s:
                _rt.Results!.RehostAsync(_taskId, s.Succeeded.Results, _stopping.Token)
                    .PipeTo(Self, success: o => new In.ResultsStored(s.Succeeded, o),
                        failure: ex => new In.ResultsStored(s.Succeeded, new RehostOutcome.Failed(new TaskError("result_store_failed", $"The result store failed: {ex.GetType().Name}", true))));
                break;
            case Effect.DiscardResults: _rt.Results?.DiscardAsync(_taskId); break;
            case Effect.Learn l:
                if (l.DetectionLag is { } lag) OrchestratorMetrics.Detected(request.Provider, lag);
                _rt.Learning.RecordDuration(request, l.DurationSeconds);
                _rt.Learning.RecordFinished(request.Provider, l.Polls, l.DetectionLag);
                break;
            case Effect.PermitExpired: OrchestratorMetrics.PermitExpired(); break;
            case Effect.Ended e: OrchestratorMetrics.TaskEnded(e.Status, request); break;
            case Effect.Warn w: LogDecision(LogLevel.Warning, w.Message); break;
            case Effect.Inform m: LogDecision(LogLevel.Information, m.Message); break;
            case Effect.IdleTimeout t: Context.SetReceiveTimeout(t.After); break;
            case Effect.PassivateSelf:
                // Under a shard the shard holds our messages and says "now" with the message given here.
                Context.Parent.Tell(_rt.Sharded ? new Akka.Cluster.Sharding.Passivate(new In.PassivateNow()) : new Passivate(_taskId));
                break;
            case Effect.Passivated { Resume: { } resume } when _rt.Sharded: FallAsleep(resume); break;
            case Effect.Passivated when _rt.Sharded: Context.Stop(Self); break;
            case Effect.Passivated p:
                _asleep = p.Resume is not null;
                Context.Parent.Tell(new TaskPassivated(_taskId, p.Resume, LastSequenceNr, _memory.State));
                break;
            // A shard cannot take a "no": it holds our messages until we stop. Stop, and be started again at once by a wake
            // it holds with them; the next incarnation reads the journal, and a call cut short is looked up, not repeated.
            case Effect.DeclinePassivation when _rt.Sharded: WakeElsewhereAndStop(); break;
            case Effect.DeclinePassivation: Context.Parent.Tell(new PassivationDeclined(_taskId)); break;
            default: throw new ArgumentOutOfRangeException(nameof(effect), effect, "Unknown task effect.");
        }
    }

    // The span, count and log scope of a call start here; the answer ends them on the thread it comes back on.
    private void Submit(GenerationRequest request, int attempt, DateTimeOffset useBy)
    {
        var span = ProviderCallSpan.Start("submit", request.Provider, _taskId, request, _memory.State.CreatedBy, out var previous, attempt);
        Task<SubmitOutcome> call;
        using (TaskLogScope.Begin(_rt.Log, _taskId, request))
            try { call = PermitUseBy.Run(useBy, _rt.Clock, () => Client.SubmitAsync(new ProviderSubmission(_taskId, request, _rt.Callbacks.UrlFor(request.Provider, _taskId)), _stopping.Token)); }
            finally { Activity.Current = previous; }
        Ended(call, span).PipeTo(Self, success: o => new In.SubmitAnswered(o), failure: ex => new In.SubmitAnswered(new SubmitOutcome.Rejected(Unexpected(ex))));

        static async Task<SubmitOutcome> Ended(Task<SubmitOutcome> call, ProviderCallSpan span)
        {
            try { var outcome = await call.ConfigureAwait(false); span.End(outcome); return outcome; }
            catch (Exception ex) { span.End(Unexpected(ex)); throw; }
        }
    }

    private void Query(GenerationRequest request, bool isLookup, DateTimeOffset useBy)
    {
        var span = ProviderCallSpan.Start(isLookup ? "lookup" : "poll", request.Provider, _taskId, request, _memory.State.CreatedBy, out var previous);
        Task<QueryOutcome> call;
        using (TaskLogScope.Begin(_rt.Log, _taskId, request))
            try { call = PermitUseBy.Run(useBy, _rt.Clock, () => Client.QueryAsync(request.Kind, _memory.State.ProviderTaskId, _taskId, _stopping.Token)); }
            finally { Activity.Current = previous; }
        Ended(call, span).PipeTo(Self, success: o => new In.QueryAnswered(o, isLookup), failure: ex => new In.QueryAnswered(new QueryOutcome.Error(Unexpected(ex)), isLookup));

        static async Task<QueryOutcome> Ended(Task<QueryOutcome> call, ProviderCallSpan span)
        {
            try { var outcome = await call.ConfigureAwait(false); span.End(outcome); return outcome; }
            catch (Exception ex) { span.End(Unexpected(ex)); throw; }
        }
    }

    /// <summary>A decision's log line, in the task's scope when the host's log is at hand (else through Akka's log).</summary>
    private void LogDecision(LogLevel level, string message)
    {
        if (_rt.Log is not { } log)
        {
            if (level == LogLevel.Warning) _log.Warning(message);
            else _log.Info(message);
            return;
        }
        using (TaskLogScope.Begin(log, _taskId, _memory.State.Request))
            log.Log(level, "{TaskMessage}", message);
    }

    private IProviderClient Client => _rt.Providers.ClientFor(_memory.State.Request!.Provider);

    // The timer as the scheduler holds it, not as the memory says: a timer left running beside a permit or a call must show.
    private TaskProgress Progress() => new(_taskId, _memory.State.Status, Timers.IsTimerActive(ProgressTimer),
        _memory.Waiting == Waiting.Permit, _memory.Waiting == Waiting.Call, _journalWrites, _memory.WaitingFor is not null);

    private static ProviderError Unexpected(Exception ex) => new("internal", $"Unexpected client fault: {ex.GetType().Name}", true);

    /// <summary>
    /// The journal did not take the accept write (it timed out, failed, or the circuit breaker is open): the submitter is
    /// told now rather than after its ask timeout. Akka stops this actor next; nothing was acknowledged.
    /// </summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        if (@event is TaskAccepted && _submitter is { } submitter)
            submitter.Tell(new Status.Failure(new JournalUnavailableException(
                $"The journal did not store the task in time ({cause.GetType().Name}); it may or may not have been stored: retry in "
                + $"{JournalHealth.RetryAfter.TotalSeconds:0} s with the same idempotencyKey, which never makes a second task.", JournalHealth.RetryAfter)));
        _submitter = null;
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void PostStop()
    {
        // Stopped in line (a shard handed off, a passivation declined under a shard): the request would be granted to no
        // one, holding a window place until its timeout and, for a submit, a concurrency slot the task may have given back.
        if (_memory.Waiting == Lifecycle.Waiting.Permit && _memory.State.Request is { } asked)
            _rt.Throttles.Tell(new PermitRequestsWithdrawn(asked.Provider, _taskId), Self);
        _stopping.Cancel();
        _stopping.Dispose();
        // Readers see its view until the read model holds everything it wrote (and, asleep, its polling progress after).
        if (_asleep) _rt.Live.Asleep(_taskId, LastSequenceNr);
        else _rt.Live.Stopped(_taskId, LastSequenceNr);
        base.PostStop();
    }
}
