using System.Diagnostics;
using Akka.Actor;
using Orchestrator.Hosting;
using Orchestrator.Providers;
using Orchestrator.Throttling;

namespace Orchestrator.Tests.Throttling;

public sealed class ProviderThrottleTests : Akka.TestKit.Xunit2.TestKit
{
    private static ProviderAccount Account(double qps, int? maxConcurrent = null) =>
        new("acct", ProviderTypes.All["simulator"], new ProviderAccountOptions { Qps = qps, MaxConcurrentTasks = maxConcurrent }, new Uri("http://127.0.0.1/"), null);

    /// <summary>Largest number of timestamps inside any window [t, t + 1 s).</summary>
    public static int PeakPerRollingSecond(IReadOnlyList<long> stamps)
    {
        var peak = 0;
        for (int i = 0, j = 0; i < stamps.Count; i++)
        {
            while (stamps[i] - stamps[j] >= Stopwatch.Frequency) j++;
            peak = Math.Max(peak, i - j + 1);
        }
        return peak;
    }

    [Fact]
    public void Grants_never_exceed_the_limit_in_any_rolling_second()
    {
        var throttle = Sys.ActorOf(ProviderThrottle.Props(Account(20)));
        const int n = 45;
        for (var i = 0; i < n; i++) throttle.Tell(new RequestPermit("acct", $"t{i}", CallKind.Submit), TestActor);

        // The throttle's own grant instants (UseBy = grant + a fixed lifetime), not when this test thread got round to them.
        var stamps = new List<long>();
        for (var i = 0; i < n; i++)
        {
            var permit = ExpectMsg<PermitGranted>(TimeSpan.FromSeconds(5));
            stamps.Add(permit.UseBy.Ticks * (Stopwatch.Frequency / TimeSpan.TicksPerSecond));
            throttle.Tell(new CallFinished("acct", permit.PermitId));
        }
        var peak = PeakPerRollingSecond(stamps);
        Assert.True(peak <= 20, $"{peak} grants in one rolling second at 20 QPS");
        var seconds = Stopwatch.GetElapsedTime(stamps[0], stamps[^1]).TotalSeconds;
        Assert.True(seconds >= (n - 1) / 20.0, $"{n} grants took only {seconds:0.00}s");
    }

    [Fact]
    public async Task Submits_wait_for_a_free_concurrency_slot_and_polls_do_not()
    {
        var throttle = Sys.ActorOf(ProviderThrottle.Props(Account(1000, maxConcurrent: 2)));
        for (var i = 0; i < 4; i++) throttle.Tell(new RequestPermit("acct", $"t{i}", CallKind.Submit, null, Slots: 1), TestActor);
        var first = ExpectMsg<PermitGranted>();
        var second = ExpectMsg<PermitGranted>();
        Assert.Equal(["t0", "t1"], new[] { first.TaskId, second.TaskId });
        throttle.Tell(new CallFinished("acct", first.PermitId));
        throttle.Tell(new CallFinished("acct", second.PermitId));
        throttle.Tell(new RequestPermit("acct", "t0", CallKind.Poll), TestActor);
        Assert.Equal("t0", ExpectMsg<PermitGranted>().TaskId); // polls need no slot
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));          // t2 waits: both slots are held

        throttle.Tell(new SlotsReleased("acct", "t0"));
        Assert.Equal("t2", ExpectMsg<PermitGranted>().TaskId);
        var stats = await throttle.Ask<ThrottleStats>(new GetThrottleStats("acct"));
        Assert.Equal(2, stats.ConcurrencyInUse);
        Assert.Equal(1, stats.QueuedSubmits);
    }

    [Fact]
    public async Task A_limit_answer_lowers_the_effective_rate()
    {
        var throttle = Sys.ActorOf(ProviderThrottle.Props(Account(20)));
        var before = (await throttle.Ask<ThrottleStats>(new GetThrottleStats("acct"))).EffectiveQps;
        throttle.Tell(new RateLimitAnswered("acct", null));
        var after = await throttle.Ask<ThrottleStats>(new GetThrottleStats("acct"));
        Assert.InRange(after.EffectiveQps, 0.69 * before, 0.71 * before);
        Assert.Equal(1, after.RateLimitAnswers);
    }

    [Fact]
    public void A_node_that_is_gone_takes_its_queued_requests_and_its_calls_in_flight_with_it()
    {
        // The requester on another node: an actor system of its own, so its address is not this one's.
        using var elsewhere = ActorSystem.Create("elsewhere");
        var dead = CreateTestProbe(elsewhere);
        var alive = CreateTestProbe();
        var throttle = Sys.ActorOf(ProviderThrottle.Props(Account(2)));
        for (var i = 0; i < 4; i++) throttle.Tell(new RequestPermit("acct", $"dead{i}", CallKind.Poll), dead.Ref);
        var granted = dead.ReceiveN(2, TimeSpan.FromSeconds(5)).Cast<PermitGranted>().ToList(); // the window's two places, never finished
        throttle.Tell(new RequestPermit("acct", "alive", CallKind.Poll), alive.Ref);
        alive.ExpectNoMsg(TimeSpan.FromMilliseconds(1500)); // without the node's end its calls would hold the window for 31 s

        throttle.Tell(new RequestersGone(dead.Ref.Path.Address));
        // Its two calls count as arriving now, so the window has room a second later; its two queued requests are gone,
        // so the next permit is the living task's, though it asked last.
        Assert.Equal("alive", alive.ExpectMsg<PermitGranted>(TimeSpan.FromSeconds(5)).TaskId);
        dead.ExpectNoMsg(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(["dead0", "dead1"], granted.Select(g => g.TaskId));
    }

    [Fact]
    public void A_task_stopped_in_line_takes_its_request_out_and_a_later_incarnations_stays()
    {
        var throttle = Sys.ActorOf(ProviderThrottle.Props(Account(1)));
        var old = CreateTestProbe();
        var reborn = CreateTestProbe();
        throttle.Tell(new RequestPermit("acct", "first", CallKind.Poll), TestActor);
        var first = ExpectMsg<PermitGranted>();
        throttle.Tell(new RequestPermit("acct", "t", CallKind.Submit, Slots: 1), old.Ref);
        throttle.Tell(new RequestPermit("acct", "t", CallKind.Submit, Slots: 1), reborn.Ref); // its shard moved: asked again from the new node
        throttle.Tell(new PermitRequestsWithdrawn("acct", "t"), old.Ref);                      // the old actor's PostStop
        throttle.Tell(new CallFinished("acct", first.PermitId));

        Assert.Equal("t", reborn.ExpectMsg<PermitGranted>(TimeSpan.FromSeconds(5)).TaskId);
        old.ExpectNoMsg(TimeSpan.FromMilliseconds(1500)); // at 1 QPS its request would have been next within the second
    }
}
