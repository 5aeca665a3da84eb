using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Orchestrator.Polling;
using Orchestrator.Providers;
using Orchestrator.ResultFiles;
using Orchestrator.Telemetry;
using Orchestrator.Throttling;

namespace Orchestrator.Tasks;

/// <summary>
/// One generation task: a thin persistent actor around <see cref="TaskState"/> and <see cref="TaskDecider"/>.
/// It takes a permit from its account's throttle before every provider call, submits, then polls on its own
/// timers until the provider says the task ended, its deadline passes, or the user cancels it.
/// Invariant: until it ends it has exactly one pending progress timer, permit request or provider call.
/// </summary>
public sealed partial class GenerationTask : ReceivePersistentActor, IWithTimers
{
    public const string JournalTag = "task";
    private const string ProgressTimer = "progress";
    private const string DeadlineTimer = "deadline";

    private sealed record ProgressDue(CallKind Kind);
    private sealed record DeadlineDue;
    private sealed record SubmitDone(SubmitOutcome Outcome);
    private sealed record QueryDone(QueryOutcome Outcome, bool IsLookup);
    private sealed record ResultsStored(TaskSucceeded Succeeded, RehostOutcome Outcome);

    private enum Waiting { Nothing, Timer, Permit, Call }

    private readonly TaskRuntime _rt;
    private readonly string _taskId;
    private readonly bool _fresh;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TaskState _state = TaskState.Empty;
    private Waiting _waiting = Waiting.Nothing;
    private bool _lookupBeforeSubmit;
    private int _consecutiveFailures;
    private int _journalWrites;
    private long? _permitInUse;
    // Cancelled or timed out, but the provider task may still run and hold a concurrency slot: keep polling it quietly.
    private bool _watchingQuietly;
    private DateTimeOffset _stopWatchingAt;
    // This task's schedule (learned for its account, kind and model when it was submitted) and its own jitter scale.
    private PollPlan? _plan;
    private readonly double _scale;
    // A callback said the provider task ended while a call was already under way: verify again right after it.
    private bool _verifyAfterCall;
    private bool _storingResults;

    public ITimerScheduler Timers { get; set; } = null!;

    public GenerationTask(TaskRuntime runtime, string taskId, bool fresh)
    {
        _rt = runtime;
        _taskId = taskId;
        _fresh = fresh;
        _scale = PollSchedule.Scale(runtime.Options.Polling.Jitter, Random.Shared.NextDouble());

        Recover<ITaskEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Resume());

        Command<SubmitTask>(Accept);
        Command<GetTask>(_ => ReplyOrNotFound(() => TaskView.From(_state)));
        Command<CancelTask>(_ => Cancel());
        Command<WakeTask>(_ => { if (!_state.Exists) Passivate(); });
        Command<GetTaskProgress>(_ => Sender.Tell(Progress()));
        Command<ProgressDue>(d => CallNow(d.Kind));
        Command<ProviderCallback>(OnCallback);
        Command<BatchPollResult>(r =>
        {
            if (_waiting != Waiting.Call) return;
            _permitInUse = null; // the batch poller holds the permit and reports the call finished
            OnQueried(r.Outcome, isLookup: false);
        });
        Command<PermitGranted>(OnPermit);
        Command<SubmitDone>(d => OnSubmitted(d.Outcome));
        Command<QueryDone>(d => OnQueried(d.Outcome, d.IsLookup));
        Command<ResultsStored>(OnResultsStored);
        // The provider finished in time when its results are being stored: that is not a timeout.
        Command<DeadlineDue>(_ => { if (!_state.IsTerminal && !_storingResults) End(new TaskTimedOut(_taskId, _state.Polls, _rt.Now)); });
        Command<ReceiveTimeout>(_ => Passivate());
    }

    public static Props Props(TaskRuntime runtime, string taskId, bool fresh) =>
        Akka.Actor.Props.Create(typeof(GenerationTask), runtime, taskId, fresh);

    public override string PersistenceId => TaskIds.PersistenceId(_taskId);

    // A task whose id was minted in this process has no past: skip the journal read (3× cheaper start).
    // Only its first incarnation: a supervisor restart re-creates the actor from the same Props (fresh still true)
    // after events were written, and must recover them like any later start.
    public override Recovery Recovery => _fresh && !_restarted ? Recovery.None : base.Recovery;

    private bool _restarted;

    public override void AroundPostRestart(Exception cause, object message)
    {
        _restarted = true; // before the base starts recovery, which reads Recovery
        base.AroundPostRestart(cause, message);
    }

    private IProviderClient Client => _rt.Providers.ClientFor(_state.Request!.Provider);

    private void Resume()
    {
        if (!_state.Exists || _state.IsTerminal) return;
        ArmDeadline();
        if (_state.ProviderTaskId is { } held && SlotCost() > 0) _rt.Throttles.Tell(new SlotsHeld(_state.Request!.Provider, _taskId, SlotCost()));
        if (_state.ProviderTaskId is null)
        {
            // We may have crashed after the provider created the task but before journaling its id:
            // ask the provider by our external id before submitting again.
            _lookupBeforeSubmit = Client.SupportsExternalId;
            if (_state.UnconfirmedAttempt) _log.Warning("Task {0}: a submit without external id may have reached the provider before a restart (possible duplicate)", _taskId);
            RequestPermit(CallKind.Submit);
        }
        else
        {
            // Spread the polls of many recovered tasks over the first interval instead of all at once.
            SchedulePoll(TimeSpan.FromSeconds(Plan.ElapsedAt(0) * Random.Shared.NextDouble()));
        }
    }

    private void Accept(SubmitTask cmd)
    {
        if (_state.Exists)
        {
            Sender.Tell(_state.Request!.SameAs(cmd.Request) ? new TaskAcceptedReply(TaskView.From(_state), false) : new IdempotencyConflict(_taskId));
            return;
        }
        var sender = Sender;
        Write(new TaskAccepted(_taskId, cmd.Request, _rt.Now), () =>
        {
            sender.Tell(new TaskAcceptedReply(TaskView.From(_state), true));
            ArmDeadline();
            RequestPermit(CallKind.Submit);
        });
    }

    private void Cancel()
    {
        if (!_state.Exists) { Sender.Tell(new TaskNotFound(_taskId)); Passivate(); return; }
        if (_state.IsTerminal) { Sender.Tell(new CancelReply(TaskView.From(_state), false)); return; }
        var sender = Sender;
        End(new TaskCancelled(_taskId, _state.Polls, _rt.Now), () => sender.Tell(new CancelReply(TaskView.From(_state), true)));
    }

    private void RequestPermit(CallKind kind)
    {
        if (_state.IsTerminal && !_watchingQuietly) return;
        _waiting = Waiting.Permit;
        var r = _state.Request!;
        _rt.Throttles.Tell(new RequestPermit(r.Provider, _taskId, kind, r.FairnessKey, kind == CallKind.Submit ? SlotCost() : 0));
    }

    private int SlotCost() => TaskDecider.SlotCost(_state.Request!, _rt.Providers.Find(_state.Request!.Provider)?.Options);

    private void ReleaseSlots()
    {
        if (SlotCost() > 0) _rt.Throttles.Tell(new SlotsReleased(_state.Request!.Provider, _taskId));
    }

    private void OnPermit(PermitGranted permit)
    {
        if (_state.IsTerminal && !_watchingQuietly || _waiting != Waiting.Permit)
        {
            // Not needed any more (cancelled while waiting): give back the call and any slots it reserved.
            FinishCall(permit.PermitId);
            if (permit.Kind == CallKind.Submit && _state.ProviderTaskId is null) ReleaseSlots();
            return;
        }
        if (DateTime.UtcNow > permit.UseBy)
        {
            // We were too slow to use it: spending it now could put two calls into one provider second.
            OrchestratorMetrics.PermitExpired();
            FinishCall(permit.PermitId);
            RequestPermit(permit.Kind);
            return;
        }
        _waiting = Waiting.Call;
        _permitInUse = permit.PermitId;
        if (permit.Kind == CallKind.Poll || _lookupBeforeSubmit)
        {
            var isLookup = permit.Kind == CallKind.Submit;
            if (!isLookup) _state = _state.WithPolled();
            Client.QueryAsync(_state.Request!.Kind, _state.ProviderTaskId, _taskId, _stopping.Token)
                .PipeTo(Self, success: o => new QueryDone(o, isLookup), failure: ex => new QueryDone(Unexpected(ex), isLookup));
            return;
        }
        var attempt = _state.SubmitAttempts + 1;
        if (Client.SupportsExternalId) StartSubmit(attempt);
        else Write(new TaskSubmitAttempted(_taskId, attempt, _rt.Now), () => StartSubmit(attempt));
    }

    private void StartSubmit(int attempt)
    {
        _state = _state.WithSubmitting(attempt);
        Publish();
        Client.SubmitAsync(new ProviderSubmission(_taskId, _state.Request!, _rt.Callbacks.UrlFor(_state.Request!.Provider, _taskId)), _stopping.Token)
            .PipeTo(Self, success: o => new SubmitDone(o), failure: ex => new SubmitDone(new SubmitOutcome.Rejected(Unexpected(ex).Failure)));
    }

    private void OnSubmitted(SubmitOutcome outcome)
    {
        _waiting = Waiting.Nothing;
        FinishCall(_permitInUse);
        if (outcome is SubmitOutcome.Rejected) ReleaseSlots(); // nothing runs at the provider; a retry reserves again
        if (_state.IsTerminal)
        {
            // Cancelled while the submit was on its way: keep the provider's id and watch that task quietly.
            if (outcome is SubmitOutcome.Accepted a) Write(new TaskSubmitted(_taskId, a.ProviderTaskId, _state.SubmitAttempts, _rt.Now), WatchQuietly);
            else StopWatching();
            return;
        }
        Execute(TaskDecider.OnSubmit(_state, outcome, _rt.Options.Tasks.MaxSubmitAttempts, _rt.Now));
    }

    private void OnQueried(QueryOutcome outcome, bool isLookup)
    {
        _waiting = Waiting.Nothing;
        FinishCall(_permitInUse);
        if (TaskDecider.ProviderEnded(outcome)) ReleaseSlots();
        if (_state.IsTerminal)
        {
            if (_watchingQuietly && !TaskDecider.ProviderEnded(outcome) && _rt.Now < _stopWatchingAt) SchedulePoll(QuietInterval, publish: false);
            else StopWatching();
            return;
        }
        if (outcome is QueryOutcome.Error { Failure.IsRateLimit: true } rl) _rt.Throttles.Tell(new RateLimitAnswered(_state.Request!.Provider, rl.Failure.RetryAfter));
        if (!isLookup && outcome is QueryOutcome.Found f && TaskDecider.ProviderEnded(outcome)) Learn(f.Snapshot);
        _consecutiveFailures = outcome is QueryOutcome.Error ? _consecutiveFailures + 1 : 0;
        if (!isLookup) _state = outcome switch
        {
            QueryOutcome.Found => _state.WithTaskFound(),
            QueryOutcome.Error { Failure.IsNotFound: true } => _state.WithNotFoundAnswer(_rt.Now),
            _ => _state,
        };
        var max = _rt.Options.Polling.MaxConsecutiveFailures;
        Execute(isLookup
            ? TaskDecider.OnLookup(_state, outcome, _consecutiveFailures, max, _rt.Now)
            : TaskDecider.OnPoll(_state, outcome, _consecutiveFailures, max, _rt.Options.Polling.MaxNotFoundAnswers, _rt.Now));
    }

    private void Execute(TaskDecision decision)
    {
        switch (decision)
        {
            case TaskDecision.Persist { Event: TaskSubmitted submitted }:
                _lookupBeforeSubmit = false;
                Write(submitted, () =>
                {
                    if (_verifyAfterCall) VerifyNow(); // a callback already said it ended
                    else SchedulePoll(NextPollDelay(first: true));
                });
                break;
            case TaskDecision.Persist { Event: TaskSucceeded { Results.Count: > 0 } succeeded } when _rt.Results is not null:
                StoreResults(succeeded);
                break;
            case TaskDecision.Persist p:
                End(p.Event);
                break;
            case TaskDecision.PollLater later:
                var before = _state.Status;
                if (later.Running) _state = _state.WithProcessing();
                if (_verifyAfterCall) { VerifyNow(); if (before != _state.Status) Publish(); }
                else SchedulePoll(NextPollDelay(first: false), publish: before != _state.Status);
                break;
            case TaskDecision.RetrySubmit retry:
                if (retry.Error.IsRateLimit) _rt.Throttles.Tell(new RateLimitAnswered(_state.Request!.Provider, retry.Error.RetryAfter));
                if (!retry.CountsAsAttempt && _state.Status == TaskLifecycle.Submitting) _state = _state with { SubmitAttempts = _state.SubmitAttempts - 1 };
                _state = _state.WithBackToAccepted();
                _lookupBeforeSubmit = retry.LookupFirst && Client.SupportsExternalId;
                var delay = retry.Error.RetryAfter ?? PollSchedule.SubmitRetryDelay(_rt.Options.Tasks, Math.Max(1, _state.SubmitAttempts), Random.Shared.NextDouble());
                _log.Info("Task {0}: submit not accepted ({1}: {2}), retrying in {3:0.0}s", _taskId, retry.Error.Code, retry.Error.Message, delay.TotalSeconds);
                StartTimer(new ProgressDue(CallKind.Submit), delay);
                Publish();
                break;
            case TaskDecision.SubmitNow:
                _lookupBeforeSubmit = false;
                RequestPermit(CallKind.Submit);
                break;
        }
    }

    private void FinishCall(long? permitId)
    {
        if (permitId is { } id) _rt.Throttles.Tell(new CallFinished(_state.Request!.Provider, id));
        _permitInUse = null;
    }


    private void Write(ITaskEvent e, Action then)
    {
        Persist(new Tagged(e, [JournalTag]), _ =>
        {
            _journalWrites++;
            OrchestratorMetrics.JournalWritten();
            _state = _state.Apply(e);
            Publish();
            then();
        });
    }

    private void Publish() => Context.System.EventStream.Publish(new TaskViewChanged(TaskView.From(_state)));

    private void ReplyOrNotFound(Func<object> reply)
    {
        if (_state.Exists) { Sender.Tell(reply()); return; }
        Sender.Tell(new TaskNotFound(_taskId));
        Passivate();
    }

    private void Passivate() => Context.Parent.Tell(new Passivate(_taskId));

    // The timer as the scheduler holds it, not as _waiting says: a timer left running beside a permit or a call must show.
    private TaskProgress Progress() => new(_taskId, _state.Status, Timers.IsTimerActive(ProgressTimer),
        _waiting == Waiting.Permit, _waiting == Waiting.Call, _journalWrites);

    private static QueryOutcome.Error Unexpected(Exception ex) =>
        new(new ProviderError("internal", $"Unexpected client fault: {ex.GetType().Name}", true));


    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }
}
