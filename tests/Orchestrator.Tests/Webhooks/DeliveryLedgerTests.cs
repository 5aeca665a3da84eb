using Orchestrator.Webhooks;

namespace Orchestrator.Tests.Webhooks;

/// <summary>The durable part of an endpoint's deliveries, folded from its journal, and the offset it may commit.</summary>
public sealed class DeliveryLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static WebhookDeliveryPending Pending(string id, long offset, int attempts, DateTimeOffset next, string? body = "{}") =>
        new("wh_1", id, offset, "task-" + id, "task.succeeded", body, null, attempts, attempts, 500, null, T0, next);

    [Fact]
    public void A_failed_attempt_is_pending_until_it_arrives_and_keeps_its_body()
    {
        var ledger = DeliveryLedger.Empty
            .Apply(Pending("a", 10, 1, T0.AddSeconds(5), "{\"x\":1}"))
            .Apply(Pending("a", 10, 2, T0.AddSeconds(300), body: null));
        var a = ledger.Deliveries["a"];
        Assert.Equal(("pending", 2, "{\"x\":1}"), (a.State, a.Attempts, a.Body));
        Assert.Empty(ledger.Due(T0.AddSeconds(299)));
        Assert.Single(ledger.Due(T0.AddSeconds(300)));

        ledger = ledger.Apply(new WebhookDeliverySucceeded("wh_1", "a", 3, T0.AddSeconds(301)));
        Assert.Empty(ledger.Deliveries);
    }

    [Fact]
    public void Failed_deliveries_are_kept_and_a_replay_starts_a_new_schedule_now()
    {
        var ledger = DeliveryLedger.Empty
            .Apply(Pending("a", 10, 7, T0))
            .Apply(new WebhookDeliveryFailed("wh_1", "a", 10, "task-a", "task.succeeded", null, null, 8, 503, null, T0.AddHours(1)))
            .Apply(Pending("b", 11, 1, T0.AddSeconds(5)));
        Assert.Equal(["a"], ledger.List("failed").Select(d => d.EventId));
        Assert.Equal(["a"], ledger.ReplayTargets(null));
        Assert.Equal(["b"], ledger.ReplayTargets("b"));
        Assert.Empty(ledger.ReplayTargets("zzz"));

        ledger = ledger.Apply(new WebhookDeliveriesReplayed("wh_1", ["a"], T0.AddHours(2)));
        var a = ledger.Deliveries["a"];
        Assert.Equal(("pending", 8, 0, "{}"), (a.State, a.Attempts, a.Step, a.Body));
        Assert.Equal(T0.AddHours(2), a.NextAttemptAt);
    }

    [Fact]
    public void Committed_offsets_only_grow_and_survive_a_snapshot()
    {
        var ledger = DeliveryLedger.Empty
            .Apply(new WebhookOffsetCommitted("wh_1", 40, T0))
            .Apply(new WebhookOffsetCommitted("wh_1", 30, T0))
            .Apply(Pending("a", 12, 1, T0));
        Assert.Equal(40, ledger.CommittedOffset);
        var restored = DeliveryLedger.From(ledger.ToSnapshot("wh_1"));
        Assert.Equal(40, restored.CommittedOffset);
        Assert.Equal(ledger.Deliveries["a"], restored.Deliveries["a"]);
    }

    [Fact]
    public void The_next_due_time_skips_deliveries_already_in_flight()
    {
        var ledger = DeliveryLedger.Empty.Apply(Pending("a", 1, 1, T0.AddSeconds(1))).Apply(Pending("b", 2, 1, T0.AddSeconds(2)));
        Assert.Equal(T0.AddSeconds(1), ledger.NextDue(new HashSet<string>()));
        Assert.Equal(T0.AddSeconds(2), ledger.NextDue(new HashSet<string> { "a" }));
        Assert.Null(ledger.NextDue(new HashSet<string> { "a", "b" }));
    }

    [Fact]
    public void Kept_in_order_per_task_only_each_idle_tasks_earliest_pending_change_is_due()
    {
        static WebhookDeliveryPending Change(string id, long offset, string task, DateTimeOffset next) =>
            new("task-states", id, offset, task, "task.processing", "{}", null, 1, 1, 500, null, T0, next);
        var ledger = DeliveryLedger.Empty
            .Apply(Change("a1", 1, "task-a", T0.AddSeconds(9)))
            .Apply(Change("a2", 2, "task-a", T0))
            .Apply(Change("b1", 3, "task-b", T0.AddSeconds(1)))
            .Apply(Change("c1", 4, "task-c", T0));
        Func<string, bool> busy = task => task == "task-c";

        Assert.Equal(["b1"], ledger.Due(T0.AddSeconds(1), busy).Select(d => d.EventId)); // a2 waits behind a1, c1 behind its busy task
        Assert.Equal(["b1", "a1"], ledger.Due(T0.AddSeconds(9), busy).Select(d => d.EventId));
        Assert.Equal(T0.AddSeconds(1), ledger.NextDue(new HashSet<string>(), busy));
        Assert.Equal(["a2", "c1", "b1", "a1"], ledger.Due(T0.AddSeconds(9)).Select(d => d.EventId)); // unordered: by due time, then offset
    }

    [Fact]
    public void The_watermark_stops_below_the_oldest_open_completion()
    {
        var w = new OffsetWindow(100);
        Assert.Equal(100, w.Watermark);
        w.Open(105);
        w.Seen(106);      // filtered out
        w.Open(110);
        Assert.Equal(104, w.Watermark);
        w.Close(110);
        Assert.Equal(104, w.Watermark);
        w.Close(105);
        Assert.Equal(110, w.Watermark);
        Assert.Equal(110, w.LastSeen);
    }
}
