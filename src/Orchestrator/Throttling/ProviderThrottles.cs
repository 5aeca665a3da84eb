using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Orchestrator.Providers;

namespace Orchestrator.Throttling;

/// <summary>
/// Routes permit requests to each account's <see cref="ProviderThrottle"/>. Callers reach throttles only by message
/// through this actor: on a single node the throttles are its children; in cluster mode each account's throttle is an
/// entity of the <c>throttles</c> shard region, one for the whole cluster, wherever it lives.
/// </summary>
internal sealed class ProviderThrottles : ReceiveActor
{
    private readonly Dictionary<string, IActorRef> _throttles = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IActorRef> _pollers = new(StringComparer.OrdinalIgnoreCase);
    private readonly IActorRef? _region;

    public ProviderThrottles(ProviderDirectory providers, IActorRef? region)
    {
        _region = region;
        foreach (var account in providers.Accounts.Where(a => a.Enabled))
        {
            var name = Uri.EscapeDataString(account.Name);
            _names[account.Name] = account.Name;
            IActorRef throttle;
            if (region is null)
            {
                var props = ProviderThrottle.Props(account, providers.Clock);
                // Its own thread where configured: permits must go out on time even when blocking journal I/O starves the pool.
                if (Context.System.Dispatchers.HasDispatcher(ThrottleHosting.Dispatcher)) props = props.WithDispatcher(ThrottleHosting.Dispatcher);
                throttle = _throttles[account.Name] = Context.ActorOf(props, name);
            }
            else
            {
                // The batch poller's requests come back through here, to be addressed to the account's entity.
                throttle = Self;
                _throttles[account.Name] = region;
            }
            if (providers.ClientFor(account.Name) is IBatchQueryClient batch)
                _pollers[account.Name] = Context.ActorOf(BatchPoller.Props(account.Name, batch, throttle, providers.Clock), name + "-polls");
        }

        Receive<RequestPermit>(r => Route(r.Account, r));
        Receive<RateLimitAnswered>(r => Route(r.Account, r));
        Receive<CallFinished>(r => Route(r.Account, r));
        Receive<SlotsReleased>(r => Route(r.Account, r));
        Receive<SlotsHeld>(r => Route(r.Account, r));
        Receive<PermitRequestsWithdrawn>(r => Route(r.Account, r));
        Receive<AskQueueRoom>(r =>
        {
            if (_throttles.ContainsKey(r.Account)) Route(r.Account, r);
            else Sender.Tell(new QueueRoom(true, 0, 0, TimeSpan.Zero));
        });
        Receive<BatchPoll>(p =>
        {
            if (_pollers.TryGetValue(p.Account, out var poller)) poller.Forward(p);
            else Context.System.Log.Warning("No batch poller for provider account {0}", p.Account);
        });
        Receive<GetThrottleStats>(r => Route(r.Account, r));
        // Piped, not awaited: the router must keep routing permits while stats are gathered.
        Receive<GetAllThrottleStats>(_ => Task
            .WhenAll(_throttles.Select(t => t.Value.Ask<ThrottleStats>(Addressed(t.Key, new GetThrottleStats(t.Key)), TimeSpan.FromSeconds(5))))
            .ContinueWith(t => (IReadOnlyList<ThrottleStats>)t.Result.OrderBy(s => s.Account).ToList(), TaskContinuationOptions.OnlyOnRanToCompletion)
            .PipeTo(Sender));
    }

    public static Props Props(ProviderDirectory providers, IActorRef? region = null) =>
        Akka.Actor.Props.Create(typeof(ProviderThrottles), providers, region);

    private void Route(string account, object message)
    {
        if (_throttles.TryGetValue(account, out var throttle)) throttle.Forward(Addressed(account, message));
        else Context.System.Log.Warning("No throttle for provider account {0}; message {1} dropped", account, message.GetType().Name);
    }

    /// <summary>In cluster mode, the message in an envelope naming the account's entity (its configured name, one spelling for every node).</summary>
    private object Addressed(string account, object message) =>
        _region is null ? message : new ShardingEnvelope(_names[account], message);
}
