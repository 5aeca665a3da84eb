using System.Collections.Immutable;

namespace Orchestrator.Webhooks;

/// <summary>A delivery that did not arrive on its first attempt: pending (another attempt is due) or failed (kept for replay).</summary>
/// <param name="EventId">The completion's id, sent as <c>webhook-id</c> on every attempt.</param>
/// <param name="Offset">The completion's position in the journal.</param>
/// <param name="TaskId">The task that ended.</param>
/// <param name="Type">The event type, e.g. <c>task.succeeded</c>.</param>
/// <param name="Body">The exact body every attempt sends.</param>
/// <param name="Url">The per-task target; null for a registered endpoint (its own URL).</param>
/// <param name="Attempts">Attempts made in all.</param>
/// <param name="Step">Attempts made in the current schedule (a replay starts a new one).</param>
/// <param name="LastStatus">The last attempt's HTTP status, if it got one.</param>
/// <param name="LastError">The last attempt's transport error (timeout, refused connection), if any.</param>
/// <param name="LastAttemptAt">When the last attempt ended.</param>
/// <param name="NextAttemptAt">When the next attempt is due; null once failed.</param>
internal sealed record DeliveryRecord(
    string EventId, long Offset, string TaskId, string Type, string Body, string? Url,
    int Attempts, int Step, int? LastStatus, string? LastError, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt)
{
    public bool IsPending => NextAttemptAt is not null;
    public string State => IsPending ? "pending" : "failed";

    /// <summary>The delivery as the API lists it.</summary>
    public WebhookDeliveryView View() =>
        new(EventId, TaskId, Type, State, Attempts, LastStatus, LastError, LastAttemptAt, NextAttemptAt, Url);
}

/// <summary>
/// One endpoint's durable delivery state, folded from its journal (pure): the committed offset and the deliveries that
/// are pending or failed. Successful first attempts never appear here: they cost no write.
/// </summary>
internal sealed record DeliveryLedger(long? CommittedOffset, ImmutableDictionary<string, DeliveryRecord> Deliveries)
{
    public static readonly DeliveryLedger Empty = new(null, ImmutableDictionary<string, DeliveryRecord>.Empty);

    public DeliveryLedger Apply(IWebhookDeliveryEvent e) => e switch
    {
        WebhookOffsetCommitted c => this with { CommittedOffset = Math.Max(CommittedOffset ?? 0, c.Offset) },
        WebhookDeliveryPending p => Put(p.EventId, old => new DeliveryRecord(p.EventId, p.Offset, p.TaskId, p.Type, p.Body ?? old?.Body ?? "", p.Url ?? old?.Url,
            p.Attempts, p.Step, p.LastStatus, p.LastError, p.At, p.NextAttemptAt)),
        WebhookDeliveryFailed f => Put(f.EventId, old => new DeliveryRecord(f.EventId, f.Offset, f.TaskId, f.Type, f.Body ?? old?.Body ?? "", f.Url ?? old?.Url,
            f.Attempts, old?.Step ?? f.Attempts, f.LastStatus, f.LastError, f.At, null)),
        WebhookDeliverySucceeded s => this with { Deliveries = Deliveries.Remove(s.EventId) },
        WebhookDeliveriesReplayed r => this with
        {
            Deliveries = Deliveries.SetItems(r.EventIds.Where(Deliveries.ContainsKey)
                .Select(id => KeyValuePair.Create(id, Deliveries[id] with { Step = 0, NextAttemptAt = r.At }))),
        },
        _ => this,
    };

    private DeliveryLedger Put(string eventId, Func<DeliveryRecord?, DeliveryRecord> make) =>
        this with { Deliveries = Deliveries.SetItem(eventId, make(Deliveries.GetValueOrDefault(eventId))) };

    /// <summary>
    /// Pending deliveries due at <paramref name="now"/>, oldest completion first. With <paramref name="busyTask"/> (a
    /// target that keeps each task's deliveries in order) only each idle task's earliest pending one.
    /// </summary>
    public IEnumerable<DeliveryRecord> Due(DateTimeOffset now, Func<string, bool>? busyTask = null) =>
        Candidates(busyTask).Where(d => d.NextAttemptAt <= now).OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Offset);

    /// <summary>The earliest next attempt among pending deliveries not in <paramref name="except"/> (in order per task with <paramref name="busyTask"/>).</summary>
    public DateTimeOffset? NextDue(IReadOnlySet<string> except, Func<string, bool>? busyTask = null) =>
        Candidates(busyTask).Where(d => !except.Contains(d.EventId)).Min(d => d.NextAttemptAt);

    /// <summary>Whether a delivery of <paramref name="taskId"/> is still pending (an ordered target's later one waits behind it).</summary>
    public bool HasPendingFor(string taskId) => Deliveries.Values.Any(d => d.IsPending && d.TaskId == taskId);

    /// <summary>
    /// The pending deliveries that may be tried: all of them; or, in order per task, each task's earliest pending one,
    /// none for a task <paramref name="busyTask"/> names (a later change never overtakes an earlier one still pending).
    /// </summary>
    private IEnumerable<DeliveryRecord> Candidates(Func<string, bool>? busyTask)
    {
        var pending = Deliveries.Values.Where(d => d.IsPending);
        return busyTask is null ? pending : pending.GroupBy(d => d.TaskId).Where(g => !busyTask(g.Key)).Select(g => g.MinBy(d => d.Offset)!);
    }

    /// <summary>Pending and failed deliveries in journal order, optionally only those in <paramref name="state"/>.</summary>
    public IReadOnlyList<DeliveryRecord> List(string? state = null) =>
        Deliveries.Values.Where(d => state is null || d.State == state).OrderBy(d => d.Offset).ToList();

    /// <summary>Which of <paramref name="eventId"/> (or, when null, every failed delivery) a replay restarts.</summary>
    public IReadOnlyList<string> ReplayTargets(string? eventId) => eventId is null
        ? Deliveries.Values.Where(d => !d.IsPending).OrderBy(d => d.Offset).Select(d => d.EventId).ToList()
        : Deliveries.ContainsKey(eventId) ? [eventId] : [];

    public WebhookLedgerSnapshot ToSnapshot(string endpointId) => new(endpointId, CommittedOffset, List());

    public static DeliveryLedger From(WebhookLedgerSnapshot s) =>
        new(s.CommittedOffset, s.Deliveries.ToImmutableDictionary(d => d.EventId));
}
