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
        // The first call counts at its completion (1 ms; nothing vouched for a faster round trip): room again at 1001 ms.
        Assert.Equal(701 * Ms, log.WaitBeforeNext(300 * Ms));
        Assert.Null(log.WaitBeforeNext(1001 * Ms));
    }

    [Fact]
    public void A_call_still_in_flight_counts_as_arriving_now_and_a_late_one_counts_at_its_completion()
    {
        var log = new RollingGrantLog(2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        log.Granted(1, 0 * Ms);
        log.Complete(1, 10 * Ms);             // fastest round trip: 10 ms
        log.Granted(2, 50 * Ms);               // delayed on our side: completes much later
        Assert.NotNull(log.WaitBeforeNext(500 * Ms)); // call 1 and call 2 (in flight, counted as arriving now)
        Assert.Null(log.WaitBeforeNext(1500 * Ms));   // call 1 has left; call 2 alone
        log.Complete(2, 2000 * Ms);
        log.Granted(3, 2000 * Ms);
        // Call 2 counts at 2000 − 10 ms, so the window is full until 2990 ms.
        Assert.Equal(990 * Ms, log.WaitBeforeNext(2000 * Ms));
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
