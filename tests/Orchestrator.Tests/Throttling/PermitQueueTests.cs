using Orchestrator.Throttling;

namespace Orchestrator.Tests.Throttling;

public sealed class PermitQueueTests
{
    private static PermitQueue.Waiter W(string id, CallKind kind) => new(new RequestPermit("a", id, kind), null!, 0);

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
    public void Submits_alone_are_served_in_order()
    {
        var q = new PermitQueue();
        q.Enqueue(W("s1", CallKind.Submit));
        q.Enqueue(W("s2", CallKind.Submit));
        Assert.Equal("s1", q.Next()!.Request.TaskId);
        Assert.Equal("s2", q.Next()!.Request.TaskId);
        Assert.Null(q.Next());
    }
}
