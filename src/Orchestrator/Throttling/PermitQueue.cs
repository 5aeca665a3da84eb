namespace Orchestrator.Throttling;

/// <summary>
/// Who gets the next permit (pure, no timing). Polls go first because they end tasks and free slots, but after
/// <see cref="PollsPerSubmit"/> polls in a row a waiting submit is served, so submits are never starved. Submits
/// are served round-robin across tenants (a task's <c>metadata.tenant</c>), so a 10,000-task batch cannot hold an
/// interactive task behind it. A submit whose concurrency cost does not fit yet lets the next tenant go first.
/// </summary>
internal sealed class PermitQueue
{
    private readonly LinkedList<Waiter> _polls = new();
    private readonly Dictionary<string, LinkedList<Waiter>> _submitsByTenant = new();
    private readonly LinkedList<string> _tenantTurns = new();
    private int _pollsInARow;
    // Who is queued, for a resent request (cluster mode) to find itself in line already.
    private readonly Dictionary<(string TaskId, CallKind Kind), int> _queued = new();

    public const int PollsPerSubmit = 3;
    public const string NoTenant = "";

    internal sealed record Waiter(RequestPermit Request, object ReplyTo, long EnqueuedAtTicks);

    public int QueuedPolls => _polls.Count;
    public int QueuedSubmits { get; private set; }
    public int Count => _polls.Count + QueuedSubmits;

    /// <summary>Whether a request of this task for this kind of call waits in line.</summary>
    public bool Holds(string taskId, CallKind kind) => _queued.ContainsKey((taskId, kind));

    public void Enqueue(Waiter w)
    {
        var key = (w.Request.TaskId, w.Request.Kind);
        _queued[key] = _queued.GetValueOrDefault(key) + 1;
        // A permit that expired unused comes back at the head of its line: it had waited its turn already.
        if (w.Request.Kind != CallKind.Submit)
        {
            if (w.Request.Again) _polls.AddFirst(w);
            else _polls.AddLast(w);
            return;
        }
        var tenant = w.Request.Tenant ?? NoTenant;
        if (!_submitsByTenant.TryGetValue(tenant, out var queue))
        {
            _submitsByTenant[tenant] = queue = new LinkedList<Waiter>();
            _tenantTurns.AddLast(tenant);
        }
        if (w.Request.Again) queue.AddFirst(w);
        else queue.AddLast(w);
        QueuedSubmits++;
    }

    /// <param name="fits">Whether a submit's concurrency cost fits now.</param>
    public Waiter? Next(Func<Waiter, bool>? fits = null)
    {
        var next = Take(fits);
        if (next is not null) Forget(next);
        return next;
    }

    private Waiter? Take(Func<Waiter, bool>? fits)
    {
        var preferPoll = _polls.Count > 0 && (_pollsInARow < PollsPerSubmit || QueuedSubmits == 0);
        if (!preferPoll && NextSubmit(fits ?? (_ => true)) is { } submit)
        {
            _pollsInARow = 0;
            return submit;
        }
        if (_polls.Count == 0) return null;
        _pollsInARow++;
        var poll = _polls.First!.Value;
        _polls.RemoveFirst();
        return poll;
    }

    private Waiter? NextSubmit(Func<Waiter, bool> fits)
    {
        for (var node = _tenantTurns.First; node is not null; node = node.Next)
        {
            var queue = _submitsByTenant[node.Value];
            var w = queue.First!.Value;
            if (!fits(w)) continue;
            queue.RemoveFirst();
            QueuedSubmits--;
            _tenantTurns.Remove(node);
            if (queue.Count > 0) _tenantTurns.AddLast(node.Value); // its next task waits for the other tenants' turns
            else _submitsByTenant.Remove(node.Value);
            return w;
        }
        return null;
    }

    /// <summary>Takes out every waiter <paramref name="gone"/> picks (their requester died with its node); returns how many.</summary>
    public int RemoveWhere(Func<Waiter, bool> gone)
    {
        var removed = new List<Waiter>();
        for (var node = _polls.First; node is not null;)
        {
            var next = node.Next;
            if (gone(node.Value)) { removed.Add(node.Value); _polls.Remove(node); }
            node = next;
        }
        foreach (var (tenant, queue) in _submitsByTenant.ToList())
        {
            for (var node = queue.First; node is not null;)
            {
                var next = node.Next;
                if (gone(node.Value)) { removed.Add(node.Value); queue.Remove(node); QueuedSubmits--; }
                node = next;
            }
            if (queue.Count > 0) continue;
            _submitsByTenant.Remove(tenant);
            _tenantTurns.Remove(tenant);
        }
        foreach (var w in removed) Forget(w);
        return removed.Count;
    }

    /// <summary>The waiter left the line: <see cref="Holds"/> counts one request fewer of its task and kind.</summary>
    private void Forget(Waiter w)
    {
        var key = (w.Request.TaskId, w.Request.Kind);
        if (_queued[key] == 1) _queued.Remove(key);
        else _queued[key]--;
    }

    public long? OldestEnqueuedTicks(CallKind kind)
    {
        if (kind != CallKind.Submit) return _polls.First?.Value.EnqueuedAtTicks;
        return _submitsByTenant.Values.Select(q => (long?)q.First!.Value.EnqueuedAtTicks).Min();
    }
}
