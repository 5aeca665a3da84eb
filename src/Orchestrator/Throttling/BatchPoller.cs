using Akka.Actor;
using System.Diagnostics;
using Orchestrator.Providers;
using Orchestrator.Telemetry;

namespace Orchestrator.Throttling;

/// <summary>A task asks for its status through the account's batch poller (providers with a page query).</summary>
internal sealed record BatchPoll(string Account, string TaskId, string ProviderTaskId);

internal sealed record BatchPollResult(string TaskId, QueryOutcome Outcome);

/// <summary>
/// Polls many tasks of one account with one permit: due polls gather for a short window (or until a page is
/// full), then one page query answers up to <see cref="IBatchQueryClient.MaxBatch"/> of them. Task actors align
/// their poll times to the same slots (see <c>PollSlots</c>), so tasks due together are asked together.
/// </summary>
internal sealed class BatchPoller : ReceiveActor, IWithTimers
{
    private sealed record GatherDone;
    private sealed record PageDone(long PermitId, IReadOnlyList<(BatchPoll Poll, IActorRef ReplyTo)> Polled, IReadOnlyDictionary<string, QueryOutcome> Results);

    public static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(100);

    private readonly string _account;
    private readonly IBatchQueryClient _client;
    private readonly IActorRef _throttle;
    private readonly List<(BatchPoll Poll, IActorRef ReplyTo)> _pending = [];
    private readonly CancellationTokenSource _stopping = new();
    private bool _permitAsked;

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly TimeProvider _clock;

    public BatchPoller(string account, IBatchQueryClient client, IActorRef throttle, TimeProvider clock)
    {
        _clock = clock;
        _account = account;
        _client = client;
        _throttle = throttle;

        Receive<BatchPoll>(p =>
        {
            _pending.Add((p, Sender));
            if (_permitAsked) return;
            if (_pending.Count >= _client.MaxBatch) AskPermit();
            else if (!Timers.IsTimerActive(nameof(GatherDone))) Timers.StartSingleTimer(nameof(GatherDone), new GatherDone(), GatherWindow);
        });
        Receive<GatherDone>(_ => { if (!_permitAsked && _pending.Count > 0) AskPermit(); });
        Receive<PermitGranted>(OnPermit);
        Receive<PageDone>(done =>
        {
            _throttle.Tell(new CallFinished(_account, done.PermitId));
            foreach (var (poll, replyTo) in done.Polled)
                replyTo.Tell(new BatchPollResult(poll.TaskId, done.Results[poll.ProviderTaskId]));
            if (done.Results.Values.OfType<QueryOutcome.Error>().FirstOrDefault(e => e.Failure.IsRateLimit) is { } limited)
                _throttle.Tell(new RateLimitAnswered(_account, limited.Failure.RetryAfter));
        });
    }

    public static Props Props(string account, IBatchQueryClient client, IActorRef throttle, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(typeof(BatchPoller), account, client, throttle, clock ?? TimeProvider.System);

    private void AskPermit()
    {
        Timers.Cancel(nameof(GatherDone));
        _permitAsked = true;
        _throttle.Tell(new RequestPermit(_account, "batch-poll", CallKind.Poll));
    }

    private void OnPermit(PermitGranted permit)
    {
        _permitAsked = false;
        if (_clock.GetUtcNow() > permit.UseBy || _pending.Count == 0)
        {
            _throttle.Tell(new CallFinished(_account, permit.PermitId, Used: false));
            if (_pending.Count > 0) AskPermit();
            return;
        }
        // One page per permit; a task polled twice before its answer came is asked once.
        var page = _pending.DistinctBy(p => p.Poll.ProviderTaskId).Take(_client.MaxBatch).ToList();
        var ids = page.Select(p => p.Poll.ProviderTaskId).ToHashSet();
        var taken = _pending.Where(p => ids.Contains(p.Poll.ProviderTaskId)).ToList();
        _pending.RemoveAll(p => ids.Contains(p.Poll.ProviderTaskId));
        // One span for the page: it asks for many tasks, so it names how many rather than which.
        var span = ProviderCallSpan.Start("batch_poll", _account, taskId: null, request: null, createdBy: null, out var previous);
        span.Tasks(ids.Count);
        Task<IReadOnlyDictionary<string, QueryOutcome>> call;
        try { call = PermitUseBy.Run(permit.UseBy, _clock, () => _client.QueryManyAsync(ids.ToList(), _stopping.Token)); }
        finally { Activity.Current = previous; }
        Ended(call, span).PipeTo(Self,
            success: r => new PageDone(permit.PermitId, taken, r),
            failure: ex => new PageDone(permit.PermitId, taken, ids.ToDictionary(id => id,
                _ => (QueryOutcome)new QueryOutcome.Error(new ProviderError("internal", $"Unexpected client fault: {ex.GetType().Name}", true)))));
        if (_pending.Count > 0) AskPermit();
    }

    private static async Task<IReadOnlyDictionary<string, QueryOutcome>> Ended(Task<IReadOnlyDictionary<string, QueryOutcome>> call, ProviderCallSpan span)
    {
        try
        {
            var results = await call.ConfigureAwait(false);
            // The page's own outcome: a limit or a fault answers every task on it alike.
            span.End(results.Values.OfType<QueryOutcome.Error>().Select(e => e.Failure).FirstOrDefault(f => f.IsRateLimit || !f.IsNotFound));
            return results;
        }
        catch (Exception ex)
        {
            span.End(new ProviderError("internal", ex.GetType().Name, true));
            throw;
        }
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
