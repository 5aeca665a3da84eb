using System.Diagnostics;
using System.Threading.RateLimiting;
using Akka.Actor;
using Orchestrator.Providers;

namespace Orchestrator.Throttling;

/// <summary>
/// One provider account's gate: every provider call takes a permit here. A token bucket
/// (System.Threading.RateLimiting) spaces the calls at the account's rate; a <see cref="RollingGrantLog"/> makes
/// sure no rolling window of one second plus the jitter allowance ever holds more than the limit, even when the
/// bucket's timer ticks early. The bucket and the log decide when; <see cref="PermitQueue"/> decides who.
/// </summary>
public sealed class ProviderThrottle : ReceiveActor, IWithTimers
{
    private sealed record LeaseArrived(RateLimitLease Lease);
    private sealed record WindowHasRoom;

    private readonly ProviderAccount _account;
    private readonly RateBudget _budget;
    private readonly PermitQueue _queue = new();
    private readonly TokenBucketRateLimiter _bucket;
    private readonly RollingGrantLog _log;
    private readonly TimeSpan _permitLifetime;
    private readonly long _started = Stopwatch.GetTimestamp();
    private bool _waitingForToken;
    private bool _waitingForWindow;
    private bool _tokenInHand;
    private long _granted;
    private long _rateLimitAnswers;

    public ITimerScheduler Timers { get; set; } = null!;

    public ProviderThrottle(ProviderAccount account)
    {
        _account = account;
        _budget = RateBudget.For(account.Options.Qps, TimeSpan.FromMilliseconds(account.Options.JitterAllowanceMs));
        _log = new RollingGrantLog(_budget.WindowCapacity, _budget.Window, TimeSpan.FromSeconds(account.Options.RequestTimeoutSeconds + 1));
        _permitLifetime = TimeSpan.FromMilliseconds(account.Options.JitterAllowanceMs / 2);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _budget.Burst,
            TokensPerPeriod = _budget.Burst,
            ReplenishmentPeriod = _budget.ReplenishmentPeriod,
            AutoReplenishment = true,
            QueueLimit = _budget.Burst,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

        Receive<RequestPermit>(r =>
        {
            _queue.Enqueue(new PermitQueue.Waiter(r, Sender, Stopwatch.GetTimestamp()));
            Pump();
        });
        Receive<LeaseArrived>(l =>
        {
            _waitingForToken = false;
            using (l.Lease) _tokenInHand = l.Lease.IsAcquired && _queue.Count > 0;
            Pump();
        });
        Receive<WindowHasRoom>(_ =>
        {
            _waitingForWindow = false;
            Pump();
        });
        Receive<CallFinished>(f =>
        {
            _log.Complete(f.PermitId, Now);
            if (_waitingForWindow) { Timers.Cancel(nameof(WindowHasRoom)); _waitingForWindow = false; }
            Pump();
        });
        Receive<RateLimitAnswered>(_ => _rateLimitAnswers++);
        Receive<GetThrottleStats>(_ => Sender.Tell(Stats()));
    }

    public static Props Props(ProviderAccount account) => Akka.Actor.Props.Create(typeof(ProviderThrottle), account);

    private TimeSpan Now => Stopwatch.GetElapsedTime(_started);

    private void Pump()
    {
        while (_queue.Count > 0 && !_waitingForToken && !_waitingForWindow)
        {
            if (!_tokenInHand && !TakeToken()) return;
            if (_log.WaitBeforeNext(Now) is { } wait)
            {
                _waitingForWindow = true;
                Timers.StartSingleTimer(nameof(WindowHasRoom), new WindowHasRoom(), wait);
                return;
            }
            _tokenInHand = false;
            var id = ++_granted;
            _log.Granted(id, Now);
            var w = _queue.Next()!;
            ((IActorRef)w.ReplyTo).Tell(new PermitGranted(w.Request.TaskId, w.Request.Kind, id, DateTime.UtcNow + _permitLifetime));
        }
    }

    private bool TakeToken()
    {
        using (var lease = _bucket.AttemptAcquire(1))
        {
            if (lease.IsAcquired) return _tokenInHand = true;
        }
        _waitingForToken = true;
        var self = Self;
        _bucket.AcquireAsync(1).AsTask().ContinueWith(t => self.Tell(new LeaseArrived(t.Result)), TaskContinuationOptions.ExecuteSynchronously);
        return false;
    }

    private ThrottleStats Stats()
    {
        var oldest = _queue.OldestEnqueuedTicks();
        var wait = oldest is { } t ? Stopwatch.GetElapsedTime(t) : TimeSpan.Zero;
        return new ThrottleStats(_account.Name, _account.Options.Qps, Math.Round(_budget.RefillPerSecond, 2), _queue.QueuedSubmits, _queue.QueuedPolls,
            _log.InFlight, _granted, _rateLimitAnswers, wait);
    }

    protected override void PostStop() => _bucket.Dispose();
}
