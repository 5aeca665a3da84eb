using Orchestrator.Bench;

namespace Orchestrator.Tests.Bench;

/// <summary>The polling bench's yardstick: the offline search for the best fixed geometric schedule.</summary>
public sealed class BestFixedScheduleTests
{
    // Evenly spread quantiles of uniform 5–60 s: the reference case without sampling noise.
    private static readonly double[] Uniform5To60 = [.. Enumerable.Range(0, 1000).Select(i => 5 + 55 * (i + 0.5) / 1000)];

    // The issue (and docs/polling.md) give about 7.7 queries at 20%, 4.1 at 50% and 2.4 at 100% for uniform 5–60 s. An
    // exhaustive scan (t0 step 0.1 s, r step 0.005) finds 7.56, 3.67 and 2.34: the 50% figure in the issue is high,
    // so the bench holds the orchestrator to the search's figure, not the issue's.
    [Theory]
    [InlineData(0.2, 7.56)]
    [InlineData(0.5, 3.66)]
    [InlineData(1.0, 2.34)]
    public void Finds_the_best_schedule_for_uniform_5_to_60_seconds(double lag, double expected)
    {
        var best = BestFixedSchedule.Find(Uniform5To60, lag)!;

        Assert.InRange(best.MeanQueries, expected - 0.05, expected + 0.05);
        Assert.True(best.P95RelativeLag <= lag, $"p95 lag {best.P95RelativeLag:0.000} over the limit {lag}");
        var (queries, p95) = BestFixedSchedule.Evaluate(Uniform5To60, best.FirstSeconds, best.Ratio);
        Assert.Equal(best.MeanQueries, queries, 9);
        Assert.Equal(best.P95RelativeLag, p95, 9);
    }

    [Fact]
    public void No_schedule_on_a_coarse_hand_made_grid_beats_it()
    {
        var best = BestFixedSchedule.Find(Uniform5To60, 0.5)!;
        for (var first = 1.0; first <= 60; first += 0.5)
        for (var ratio = 1.02; ratio <= 4; ratio += 0.02)
        {
            var (queries, p95) = BestFixedSchedule.Evaluate(Uniform5To60, first, ratio);
            if (p95 <= 0.5) Assert.True(queries >= best.MeanQueries - 1e-9, $"t0 {first}, r {ratio}: {queries:0.000} < {best.MeanQueries:0.000}");
        }
    }

    [Fact]
    public void A_looser_limit_never_costs_more()
    {
        var costs = new[] { 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 2.0 }.Select(l => BestFixedSchedule.Find(Uniform5To60, l)!.MeanQueries).ToList();
        for (var i = 1; i < costs.Count; i++) Assert.True(costs[i] <= costs[i - 1] + 1e-9, string.Join(", ", costs));
    }

    [Fact]
    public void Polls_are_held_between_the_floor_and_the_cap()
    {
        // Ratio 1.1 from 2 s would poll 0.2 s apart: the 1 s floor makes it 2, 3, 4, ... and a 5 s task costs 4 queries.
        Assert.Equal(4, BestFixedSchedule.Evaluate([5.0], 2, 1.1).MeanQueries);
        // Ratio 8 from 10 s would jump to 80 s: the 60 s cap makes the second poll 70 s.
        var (queries, lag) = BestFixedSchedule.Evaluate([65.0], 10, 8);
        Assert.Equal(2, queries);
        Assert.Equal(5 / 65.0, lag, 9);
    }

    [Fact]
    public void A_single_duration_is_caught_at_once()
    {
        var best = BestFixedSchedule.Find([30.0], 0.01)!;
        Assert.Equal(1, best.MeanQueries);
        Assert.InRange(best.FirstSeconds, 30, 30.3);
    }

    [Fact]
    public void An_impossible_limit_finds_nothing() =>
        // Polls at least 1 s apart cannot notice every 0.5–1 s task within 1% of its age.
        Assert.Null(BestFixedSchedule.Find([.. Enumerable.Range(0, 100).Select(i => 0.5 + i / 200.0)], 0.01));
}
