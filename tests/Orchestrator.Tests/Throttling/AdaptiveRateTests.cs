using Orchestrator.Throttling;

namespace Orchestrator.Tests.Throttling;

public sealed class AdaptiveRateTests
{
    private static TimeSpan S(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void A_limit_answer_cuts_the_rate_once_per_second_and_pauses_for_retry_after()
    {
        var a = new AdaptiveRate();
        Assert.True(a.LimitAnswered(S(10), S(3)));
        Assert.Equal(0.7, a.Share, 6);
        Assert.Equal(S(13), a.PausedUntil);
        Assert.False(a.LimitAnswered(S(10.5), null)); // the same burst of answers counts once
        Assert.Equal(0.7, a.Share, 6);
        Assert.True(a.LimitAnswered(S(11.2), null));
        Assert.Equal(0.49, a.Share, 6);
    }

    [Fact]
    public void Calm_periods_climb_back_additively_to_the_configured_rate()
    {
        var a = new AdaptiveRate();
        a.LimitAnswered(S(0), null);
        Assert.False(a.Tick(S(1)));
        var t = 0.0;
        var steps = 0;
        while (a.Share < 1)
        {
            t += 2;
            if (a.Tick(S(t))) steps++;
        }
        Assert.Equal(6, steps); // 0.70 → 1.00 in 5% steps
        Assert.False(a.Tick(S(t + 10)));
    }

    [Fact]
    public void The_share_never_falls_below_its_floor()
    {
        var a = new AdaptiveRate();
        for (var i = 0; i < 50; i++) a.LimitAnswered(S(i * 2), null);
        Assert.Equal(AdaptiveRate.Floor, a.Share, 6);
    }
}
