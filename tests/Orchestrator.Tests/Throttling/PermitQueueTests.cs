using Orchestrator.Throttling;

namespace Orchestrator.Tests.Throttling;

public sealed class PermitQueueTests
{
    private static PermitQueue.Waiter W(string id, CallKind kind, string? tenant = null, int slots = 0) =>
        new(new RequestPermit("a", id, kind, tenant, slots), null!, 0);

    [Fact]
    public void Polls_go_first_but_a_waiting_submit_is_served_after_a_few_polls()
    {
        var q = new PermitQueue();
        q.Enqueue(W("s1", CallKind.Submit));
        q.Enqueue(W("s2", CallKind.Submit));
        for (var i = 0; i < 10; i++) q.Enqueue(W($"p{i}", CallKind.Poll));

        var order = new List<string>();
        while (q.Next() is { } w) order.Add(w.Request.TaskId);

        Assert.Equal(["p0", "p1", "p2", "s1", "p3", "p4", "p5", "s2", "p6", "p7", "p8", "p9"], order);
    }

    [Fact]
    public void A_call_whose_permit_expired_unused_asks_again_at_the_head_of_its_line_not_the_end()
    {
        var q = new PermitQueue();
        foreach (var id in new[] { "s1", "s2", "s3" }) q.Enqueue(W(id, CallKind.Submit, "acme"));
        foreach (var id in new[] { "p1", "p2" }) q.Enqueue(W(id, CallKind.Poll));
        q.Enqueue(new PermitQueue.Waiter(new RequestPermit("a", "late-submit", CallKind.Submit, "acme", Again: true), null!, 0));
        q.Enqueue(new PermitQueue.Waiter(new RequestPermit("a", "late-poll", CallKind.Poll, Again: true), null!, 0));

        var order = new List<string>();
        while (q.Next() is { } w) order.Add(w.Request.TaskId);

        Assert.Equal(["late-poll", "p1", "p2", "late-submit", "s1", "s2", "s3"], order);
    }

    [Fact]
    public void Submits_alone_are_served_in_order()
    {
        var q = new PermitQueue();
        q.Enqueue(W("s1", CallKind.Submit));
        q.Enqueue(W("s2", CallKind.Submit));
        Assert.Equal("s1", q.Next()!.Request.TaskId);
        Assert.Equal("s2", q.Next()!.Request.TaskId);
        Assert.Null(q.Next());
    }

    [Fact]
    public void An_interactive_task_behind_a_large_batch_goes_within_one_turn()
    {
        var q = new PermitQueue();
        for (var i = 0; i < 5000; i++) q.Enqueue(W($"b{i}", CallKind.Submit, "batch-tenant"));
        q.Enqueue(W("interactive", CallKind.Submit, "alice"));

        Assert.Equal("b0", q.Next()!.Request.TaskId);
        Assert.Equal("interactive", q.Next()!.Request.TaskId);
        Assert.Equal("b1", q.Next()!.Request.TaskId);
    }

    [Fact]
    public void Tenants_take_turns()
    {
        var q = new PermitQueue();
        foreach (var t in new[] { "a", "a", "a", "b", "b", "c" }) q.Enqueue(W($"{t}{q.Count}", CallKind.Submit, t));
        var order = new List<string>();
        while (q.Next() is { } w) order.Add(w.Request.Tenant!);
        Assert.Equal(["a", "b", "c", "a", "b", "a"], order);
    }

    [Fact]
    public void A_submit_that_does_not_fit_lets_another_tenant_go_first()
    {
        var q = new PermitQueue();
        q.Enqueue(W("big", CallKind.Submit, "a", slots: 9));
        q.Enqueue(W("small", CallKind.Submit, "b", slots: 1));
        Assert.Equal("small", q.Next(w => w.Request.Slots <= 2)!.Request.TaskId);
        Assert.Null(q.Next(w => w.Request.Slots <= 2));
        Assert.Equal("big", q.Next()!.Request.TaskId);
    }

    [Fact]
    public void Requests_taken_out_for_a_gone_node_leave_the_rest_in_order_and_counted()
    {
        var q = new PermitQueue();
        foreach (var id in new[] { "gone-s1", "s2", "gone-s3" }) q.Enqueue(W(id, CallKind.Submit, "acme"));
        q.Enqueue(W("gone-s4", CallKind.Submit, "other")); // a tenant whose every request goes: its turn goes too
        foreach (var id in new[] { "gone-p1", "p2" }) q.Enqueue(W(id, CallKind.Poll));

        Assert.Equal(4, q.RemoveWhere(w => w.Request.TaskId.StartsWith("gone", StringComparison.Ordinal)));

        Assert.Equal((1, 1), (q.QueuedSubmits, q.QueuedPolls));
        Assert.False(q.Holds("gone-s1", CallKind.Submit));
        Assert.True(q.Holds("s2", CallKind.Submit));
        var order = new List<string>();
        while (q.Next() is { } w) order.Add(w.Request.TaskId);
        Assert.Equal(["p2", "s2"], order);
        Assert.Equal(0, q.Count);
    }
}
