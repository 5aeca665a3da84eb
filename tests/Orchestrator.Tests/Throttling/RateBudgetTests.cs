using Orchestrator.Throttling;

namespace Orchestrator.Tests.Throttling;

public sealed class RateBudgetTests
{
    private static readonly TimeSpan Jitter = TimeSpan.FromMilliseconds(40);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(50)]
    [InlineData(199)]
    [InlineData(1000)]
    public void The_window_holds_the_limit_over_a_second_plus_jitter_and_keeps_at_least_95_percent_of_the_rate(int qps)
    {
        var b = RateBudget.For(qps, Jitter);
        Assert.Equal(qps, b.WindowCapacity);
        Assert.Equal(1.04, b.Window.TotalSeconds, 6);
        Assert.InRange(b.RefillPerSecond, 0.95 * qps, qps);
    }

    [Fact]
    public void Below_one_qps_calls_are_spaced_by_the_inverse_rate()
    {
        var b = RateBudget.For(0.5, Jitter);
        Assert.Equal(1, b.WindowCapacity);
        Assert.Equal(2.04, b.Window.TotalSeconds, 6);
    }

    [Fact]
    public void Up_to_200_qps_calls_are_evenly_spaced_and_above_the_bucket_ticks_every_few_milliseconds()
    {
        Assert.Equal(1, RateBudget.For(20, Jitter).Burst);
        var fast = RateBudget.For(5000, Jitter);
        Assert.Equal(25, fast.Burst);
        Assert.InRange(fast.ReplenishmentPeriod.TotalMilliseconds, 4, 6);
    }

    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void The_grant_log_never_lets_more_than_its_capacity_into_a_window()
    {
        var log = new RollingGrantLog(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(log.WaitBeforeNext(100 * i * Ms));
            log.Granted(i, 100 * i * Ms);
            log.Complete(i, (100 * i + 1) * Ms);
        }
        // The oldest call counts at its completion (1 ms): room again at 1001 ms.
        Assert.Equal(701 * Ms, log.WaitBeforeNext(300 * Ms));
        Assert.Null(log.WaitBeforeNext(1001 * Ms));
    }

    [Fact]
    public void A_call_still_in_flight_counts_as_arriving_now_and_a_late_one_counts_at_its_completion()
    {
        var log = new RollingGrantLog(2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        log.Granted(1, 0 * Ms);
        log.Complete(1, 10 * Ms);
        log.Granted(2, 50 * Ms);               // delayed on the way: answered much later
        Assert.NotNull(log.WaitBeforeNext(500 * Ms)); // call 1 and call 2 (in flight, counted as arriving now)
        Assert.Null(log.WaitBeforeNext(1500 * Ms));   // call 1 has left; call 2 alone
        log.Complete(2, 2000 * Ms);
        log.Granted(3, 2000 * Ms);
        Assert.Equal(1000 * Ms, log.WaitBeforeNext(2000 * Ms)); // call 2 counts at 2000 ms, its latest possible arrival
    }

    [Fact]
    public void A_known_server_time_moves_a_completed_call_back_by_that_much_but_never_before_its_grant()
    {
        var log = new RollingGrantLog(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), serverTime: 300 * Ms);
        log.Granted(1, 0 * Ms);
        log.Complete(1, 400 * Ms);
        Assert.Equal(900 * Ms, log.WaitBeforeNext(200 * Ms)); // counts at 100 ms
        var quick = new RollingGrantLog(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), serverTime: 300 * Ms);
        quick.Granted(1, 0 * Ms);
        quick.Complete(1, 100 * Ms);
        Assert.Equal(800 * Ms, quick.WaitBeforeNext(200 * Ms)); // counts at its grant, not before
    }

    [Fact]
    public void A_call_whose_answer_never_comes_stops_counting_after_its_timeout()
    {
        var log = new RollingGrantLog(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        log.Granted(1, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(5), log.WaitBeforeNext(TimeSpan.Zero));
        Assert.Null(log.WaitBeforeNext(TimeSpan.FromSeconds(6.1)));
    }
}
