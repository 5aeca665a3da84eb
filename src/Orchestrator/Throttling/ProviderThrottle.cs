using System.Diagnostics;
using System.Threading.RateLimiting;
using Akka.Actor;
using Orchestrator.Providers;

namespace Orchestrator.Throttling;

/// <summary>
/// One provider account's gate: every provider call takes a permit here. The rate is a token bucket
/// (System.Threading.RateLimiting) sized by <see cref="RateBudget"/> so that no rolling one-second window holds
/// more than the configured QPS, with a margin for network jitter. The bucket decides when,
/// <see cref="PermitQueue"/> decides who.
/// </summary>
public sealed class ProviderThrottle : ReceiveActor
{
    private sealed record LeaseArrived(RateLimitLease Lease);

    private readonly ProviderAccount _account;
    private readonly PermitQueue _queue = new();
    private readonly TokenBucketRateLimiter _bucket;
    private readonly double _effectiveQps;
    private bool _waitingForToken;
    private long _granted;
    private long _rateLimitAnswers;

    public ProviderThrottle(ProviderAccount account)
    {
        _account = account;
        var budget = RateBudget.For(account.Options.Qps, account.Options.QpsMargin);
        _effectiveQps = budget.RefillPerSecond;
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = budget.Burst,
            TokensPerPeriod = budget.Burst,
            ReplenishmentPeriod = budget.ReplenishmentPeriod,
            AutoReplenishment = true,
            QueueLimit = 1,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

        Receive<RequestPermit>(r =>
        {
            _queue.Enqueue(new PermitQueue.Waiter(r, Sender, Stopwatch.GetTimestamp()));
            GrantWhatTheBucketAllows();
        });
        Receive<LeaseArrived>(l =>
        {
            _waitingForToken = false;
            using (l.Lease)
            {
                // With nobody waiting the token is dropped: keeping it would let a second token accrue, a burst of two.
                if (l.Lease.IsAcquired && _queue.Next() is { } w) Grant(w);
            }
            GrantWhatTheBucketAllows();
        });
        Receive<RateLimitAnswered>(_ => _rateLimitAnswers++);
        Receive<GetThrottleStats>(_ => Sender.Tell(Stats()));
    }

    public static Props Props(ProviderAccount account) => Akka.Actor.Props.Create(typeof(ProviderThrottle), account);

    private void GrantWhatTheBucketAllows()
    {
        while (_queue.Count > 0 && !_waitingForToken)
        {
            var lease = _bucket.AttemptAcquire(1);
            if (lease.IsAcquired)
            {
                lease.Dispose();
                Grant(_queue.Next()!);
                continue;
            }
            lease.Dispose();
            _waitingForToken = true;
            var self = Self;
            _bucket.AcquireAsync(1).AsTask().ContinueWith(t => self.Tell(new LeaseArrived(t.Result)),
                TaskContinuationOptions.ExecuteSynchronously);
        }
    }

    private void Grant(PermitQueue.Waiter w)
    {
        _granted++;
        ((IActorRef)w.ReplyTo).Tell(new PermitGranted(w.Request.TaskId, w.Request.Kind));
    }

    private ThrottleStats Stats()
    {
        var oldest = _queue.OldestEnqueuedTicks();
        var wait = oldest is { } t ? Stopwatch.GetElapsedTime(t) : TimeSpan.Zero;
        return new ThrottleStats(_account.Name, _account.Options.Qps, Math.Round(_effectiveQps, 2), _queue.QueuedSubmits, _queue.QueuedPolls,
            _granted, _rateLimitAnswers, wait);
    }

    protected override void PostStop() => _bucket.Dispose();
}
