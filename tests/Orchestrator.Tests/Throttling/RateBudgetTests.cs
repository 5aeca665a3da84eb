using Orchestrator.Throttling;

namespace Orchestrator.Tests.Throttling;

public sealed class RateBudgetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(40)]
    [InlineData(50)]
    [InlineData(199)]
    [InlineData(1000)]
    [InlineData(5000)]
    public void No_rolling_second_can_exceed_the_limit_and_the_rate_stays_near_it(int qps)
    {
        var b = RateBudget.For(qps, 0.03);
        Assert.True(b.MaxPerRollingSecond <= qps, $"{b} lets {b.MaxPerRollingSecond} through in a second at {qps} QPS");
        Assert.True(b.RefillPerSecond >= 0.95 * qps - 1, $"{b} wastes the account at {qps} QPS");
    }

    [Fact]
    public void Up_to_200_qps_calls_are_evenly_spaced()
    {
        var b = RateBudget.For(20, 0.03);
        Assert.Equal(1, b.Burst);
        Assert.Equal(1 / (20 * 0.97), b.ReplenishmentPeriod.TotalSeconds, 4);
    }
}
