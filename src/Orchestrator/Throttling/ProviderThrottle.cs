using System.Diagnostics;
using System.Threading.RateLimiting;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Orchestrator.Providers;
using Orchestrator.Telemetry;

namespace Orchestrator.Throttling;

/// <summary>
/// One provider account's gate: every provider call takes a permit here. A token bucket
/// (System.Threading.RateLimiting) spaces the calls at the account's rate; a <see cref="RollingGrantLog"/> makes
/// sure no rolling window of one second plus the jitter allowance ever counts more than the limit; a slot ledger
/// keeps running provider tasks within <c>MaxConcurrentTasks</c>; <see cref="AdaptiveRate"/> backs off when the
/// provider still answers a limit. The bucket, log, ledger and pause decide when; <see cref="PermitQueue"/> decides who.
/// </summary>
internal sealed class ProviderThrottle : ReceiveActor, IWithTimers
{
    private sealed record LeaseArrived(RateLimitLease Lease, TokenBucketRateLimiter From);
    private sealed record WindowHasRoom;
    private sealed record AdaptTick;

    /// <summary>The shortest time a permit stays usable after its grant.</summary>
    public const double MinPermitLifetimeMs = 250;

    private readonly ProviderAccount _account;
    private readonly bool _clustered;
    private readonly PermitQueue _queue = new();
    private readonly AdaptiveRate _adaptive = new();
    private readonly Dictionary<string, int> _slots = new();
    private readonly TimeSpan _jitter;
    private readonly TimeSpan _permitLifetime;
    private readonly long _started = Stopwatch.GetTimestamp();
    private RateBudget _budget;
    private TokenBucketRateLimiter _bucket;
    private readonly RollingGrantLog _log;
    private bool _waitingForToken, _waitingForWindow, _tokenInHand;
    private readonly TimeSpan _holdUntil;
    private long _granted, _rateLimitAnswers;
    private readonly ThrottleReadings _readings;

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly TimeProvider _clock;

    /// <param name="account">The account whose limits it keeps.</param>
    /// <param name="clock">The orchestrator's clock, for permits' use-by times.</param>
    /// <param name="clustered">
    /// Cluster mode: grant nothing for one rolling window after starting, since a throttle that moved from another node
    /// does not know what its previous incarnation granted in the last second; and forget the requests and calls of a
    /// node removed from the cluster (<see cref="RequestersGone"/>).
    /// </param>
    public ProviderThrottle(ProviderAccount account, TimeProvider clock, bool clustered)
    {
        _clustered = clustered;
        _account = account;
        _clock = clock;
        _jitter = TimeSpan.FromMilliseconds(account.Options.JitterAllowanceMs);
        // Long enough for a busy task actor to reach it, short enough that a stale one cannot bunch calls; the grant log
        // counts every call from its grant until its answer, so a late use never breaks the rolling limit either way.
        _permitLifetime = TimeSpan.FromMilliseconds(Math.Max(account.Options.JitterAllowanceMs / 2, MinPermitLifetimeMs));
        _budget = RateBudget.For(account.Options.Qps, _jitter);
        _bucket = NewBucket(_budget);
        _readings = new ThrottleReadings(account.Name, account.Options.Qps, account.Options.MaxConcurrentTasks).Start();
        _holdUntil = clustered ? _budget.Window : TimeSpan.Zero;
        _log = new RollingGrantLog(_budget.WindowCapacity, _budget.Window, TimeSpan.FromSeconds(account.Options.RequestTimeoutSeconds + 1),
            TimeSpan.FromMilliseconds(account.Options.ServerTimeAllowanceMs));

        Receive<RequestPermit>(r =>
        {
            if (r.Resent && _queue.Holds(r.TaskId, r.Kind)) return;
            _queue.Enqueue(new PermitQueue.Waiter(r, Sender, Stopwatch.GetTimestamp()));
            Pump();
        });
        Receive<LeaseArrived>(l =>
        {
            if (l.From != _bucket) { l.Lease.Dispose(); return; } // from a bucket replaced by a rate change
            _waitingForToken = false;
            using (l.Lease) _tokenInHand = l.Lease.IsAcquired && _queue.Count > 0;
            Pump();
        });
        Receive<WindowHasRoom>(_ => { _waitingForWindow = false; Pump(); });
        Receive<CallFinished>(f =>
        {
            if (f.Used) _log.Complete(f.PermitId, Now);
            else _log.Withdraw(f.PermitId);
            Rewake();
        });
        Receive<SlotsReleased>(s => { if (_slots.Remove(s.TaskId)) Rewake(); });
        Receive<SlotsHeld>(s => { _slots[s.TaskId] = s.Slots; ShowReadings(); });
        Receive<RateLimitAnswered>(r =>
        {
            _rateLimitAnswers++;
            OrchestratorMetrics.LimitAnswered(_account.Name);
            if (_adaptive.LimitAnswered(Now, r.RetryAfter)) Rebudget();
            Timers.StartPeriodicTimer(nameof(AdaptTick), new AdaptTick(), AdaptiveRate.CalmPeriod);
            Rewake();
        });
        Receive<AdaptTick>(_ =>
        {
            if (_adaptive.Tick(Now)) Rebudget();
            if (_adaptive.Share >= 1) Timers.Cancel(nameof(AdaptTick));
            Pump();
        });
        Receive<AskQueueRoom>(_ =>
        {
            var limit = _account.Options.MaxQueuedSubmits;
            var retryAfter = TimeSpan.FromSeconds(Math.Ceiling(Math.Max(1, _queue.QueuedSubmits / Math.Max(0.1, _budget.RefillPerSecond))));
            Sender.Tell(new QueueRoom(_queue.QueuedSubmits < limit, _queue.QueuedSubmits, limit, retryAfter));
        });
        Receive<GetThrottleStats>(_ => Sender.Tell(Stats()));
        Receive<PermitRequestsWithdrawn>(w =>
        {
            var sender = Sender;
            if (_queue.Holds(w.TaskId, CallKind.Submit) || _queue.Holds(w.TaskId, CallKind.Poll))
                _queue.RemoveWhere(q => q.Request.TaskId == w.TaskId && sender.Equals(q.ReplyTo));
            ShowReadings();
        });
        Receive<ClusterEvent.MemberRemoved>(m => ForgetRequestersAt(m.Member.Address));
        Receive<RequestersGone>(g => ForgetRequestersAt(g.Node));
    }

    /// <summary>
    /// Their task actors died with the node and start again elsewhere, asking anew: a permit granted to a dead requester
    /// would hold a place in the window until its call's timeout (31 s by default), and with a third of the cluster's
    /// queue behind it the account would stand still that long.
    /// </summary>
    private void ForgetRequestersAt(Address node)
    {
        var dropped = _queue.RemoveWhere(w => w.ReplyTo is IActorRef r && r.Path.Address.Equals(node));
        var finished = _log.CompleteAllOf(node, Now);
        if (dropped + finished > 0)
            Context.GetLogger().Info("Throttle {0}: node {1} is gone; dropped its {2} queued requests and counted its {3} calls in flight as arrived",
                _account.Name, node, dropped, finished);
        Rewake();
    }

    public static Props Props(ProviderAccount account, TimeProvider? clock = null, bool clustered = false) =>
        Akka.Actor.Props.Create(typeof(ProviderThrottle), account, clock ?? TimeProvider.System, clustered);

    protected override void PreStart()
    {
        if (_clustered) Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
    }

    private TimeSpan Now => Stopwatch.GetElapsedTime(_started);
    private int SlotsInUse => _slots.Values.Sum();

    private bool Fits(PermitQueue.Waiter w) =>
        _account.Options.MaxConcurrentTasks is not { } max || w.Request.Slots == 0 || _slots.ContainsKey(w.Request.TaskId)
        || SlotsInUse + w.Request.Slots <= max
        || SlotsInUse == 0; // a task costing more than the whole limit still gets to run, alone

    private void Pump()
    {
        GrantWhatCanGo();
        ShowReadings();
    }

    private void GrantWhatCanGo()
    {
        while (_queue.Count > 0 && !_waitingForToken && !_waitingForWindow)
        {
            if (_holdUntil > Now)
            {
                StartWait(_holdUntil - Now);
                return;
            }
            if (_adaptive.PausedUntil > Now)
            {
                StartWait(_adaptive.PausedUntil - Now);
                return;
            }
            if (!_tokenInHand && !TakeToken()) return;
            if (_log.WaitBeforeNext(Now) is { } wait)
            {
                StartWait(wait);
                return;
            }
            // Only submits whose slots do not fit yet: keep the token; a released slot wakes us.
            if (_queue.Next(Fits) is not { } next) return;
            _tokenInHand = false;
            var id = ++_granted;
            // The call is its requester's node's to make: a node that dies takes its calls with it (RequestersGone).
            _log.Granted(id, Now, ((IActorRef)next.ReplyTo).Path.Address);
            if (next.Request.Slots > 0) _slots[next.Request.TaskId] = next.Request.Slots;
            OrchestratorMetrics.PermitWaited(_account.Name, next.Request.Kind == CallKind.Submit ? "submit" : "poll",
                Stopwatch.GetElapsedTime(next.EnqueuedAtTicks).TotalSeconds);
            ((IActorRef)next.ReplyTo).Tell(new PermitGranted(next.Request.TaskId, next.Request.Kind, id, _clock.GetUtcNow() + _permitLifetime));
        }
    }

    /// <summary>What the gauges read (<see cref="ThrottleReadings"/>): a few field writes, after anything that changes them.</summary>
    private void ShowReadings()
    {
        _readings.QueuedSubmits = _queue.QueuedSubmits;
        _readings.QueuedPolls = _queue.QueuedPolls;
        _readings.SlotsInUse = _slots.Count == 0 ? 0 : SlotsInUse; // no enumeration on accounts without a concurrency limit
        _readings.EffectiveRate = _budget.RefillPerSecond;
    }

    private void StartWait(TimeSpan wait)
    {
        _waitingForWindow = true;
        Timers.StartSingleTimer(nameof(WindowHasRoom), new WindowHasRoom(), wait);
    }

    private void Rewake()
    {
        if (_waitingForWindow) { Timers.Cancel(nameof(WindowHasRoom)); _waitingForWindow = false; }
        Pump();
    }

    private bool TakeToken()
    {
        using (var lease = _bucket.AttemptAcquire(1))
        {
            if (lease.IsAcquired) return _tokenInHand = true;
        }
        _waitingForToken = true;
        var (self, bucket) = (Self, _bucket);
        bucket.AcquireAsync(1).AsTask().ContinueWith(t => self.Tell(new LeaseArrived(t.Result, bucket)), TaskContinuationOptions.ExecuteSynchronously);
        return false;
    }

    private void Rebudget()
    {
        _budget = RateBudget.For(_account.Options.Qps * _adaptive.Share, _jitter);
        _log.Resize(_budget.WindowCapacity, _budget.Window);
        var old = _bucket;
        _bucket = NewBucket(_budget);
        _readings.EffectiveRate = _budget.RefillPerSecond;
        _waitingForToken = false;
        old.Dispose();
    }

    private static TokenBucketRateLimiter NewBucket(RateBudget b) => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = b.Burst,
        TokensPerPeriod = b.Burst,
        ReplenishmentPeriod = b.ReplenishmentPeriod,
        AutoReplenishment = true,
        QueueLimit = b.Burst,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private ThrottleStats Stats()
    {
        double Waited(CallKind k) => _queue.OldestEnqueuedTicks(k) is { } t ? Math.Round(Stopwatch.GetElapsedTime(t).TotalSeconds, 3) : 0;
        return new ThrottleStats(_account.Name, _account.Type.Name, _account.Options.Qps, Math.Round(_budget.RefillPerSecond, 2),
            _account.Options.MaxConcurrentTasks, SlotsInUse, _queue.QueuedSubmits, _queue.QueuedPolls, _log.InFlight, _granted,
            _rateLimitAnswers, Waited(CallKind.Submit), Waited(CallKind.Poll));
    }

    protected override void PostStop()
    {
        if (_clustered) Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _readings.Stop();
        _bucket.Dispose();
    }
}
