using Orchestrator.Polling;

namespace Orchestrator.Tests.Polling;

/// <summary>The planner against durations uniform in 5–60 s, the reference case.</summary>
public sealed class PollPlannerTests
{
    private static double[] Uniform(int n, double lo, double hi, int seed = 7)
    {
        var rng = new Random(seed);
        var d = Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray();
        Array.Sort(d);
        return d;
    }

    // The best fixed geometric schedule on uniform 5–60 s costs 7.56 queries at 20% lag, 3.66 at 50%, 2.34 at 100%
    // (the issue says about 7.7, 4.1 and 2.4; an exhaustive search finds these, see BestFixedScheduleTests). The planner
    // must meet the lag for 95% of tasks with at most 15% more queries (it also pays for each task's ±10% jitter and
    // for the margin it keeps because it learns from a sample).
    [Theory]
    [InlineData(0.2, 7.56)]
    [InlineData(0.5, 3.66)]
    [InlineData(1.0, 2.34)]
    public void Meets_the_lag_target_for_95_percent_with_near_the_fewest_queries(double lagTarget, double bestQueries)
    {
        var sample = Uniform(256, 5, 60);
        var plan = PollPlanner.Optimise(sample, lagTarget, 0.95, floor: 1, cap: 60, jitter: 0.1);

        var fresh = Uniform(4000, 5, 60, seed: 11);
        var (queries, late) = PollPlanner.Evaluate(plan, fresh, lagTarget, 0.1);
        Assert.True(late <= 0.07, $"{late:P1} of fresh tasks noticed later than {lagTarget:P0} of their age");
        Assert.True(queries <= bestQueries * 1.15, $"{queries:0.00} queries per task vs best {bestQueries}");
    }

    // Issue 14: a plan fitted so that exactly 5% of its sample is late made up to 8% of fresh tasks late for one
    // 200-duration sample in six (the shortest tasks, before the first poll, decide it), and such a plan then cost up
    // to 1.9× the best schedule for the lag it really gave. Learned from any sample, the plan must hold on fresh tasks.
    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Fresh_tasks_meet_the_lag_target_whatever_sample_the_plan_came_from(double lagTarget)
    {
        var fresh = Uniform(4000, 5, 60, seed: 99);
        var late = Enumerable.Range(0, 40)
            .Select(seed => PollPlanner.Optimise(Uniform(200, 5, 60, seed: 1000 + seed), lagTarget, 0.95, 1, 60, 0.1))
            .Select(plan => PollPlanner.Evaluate(plan, fresh, lagTarget, 0.1).LateShare)
            .ToList();
        Assert.True(late.Max() <= 0.06, $"{late.Count(l => l > 0.06)} of 40 samples' plans make over 6% of fresh tasks late (worst {late.Max():P2})");
    }

    [Fact]
    public void The_late_allowance_keeps_one_standard_error_of_the_sample_in_hand()
    {
        Assert.Equal(0.05 - Math.Sqrt(0.95 * 0.05 / 256), PollPlanner.LateAllowance(0.95, 256), 12);
        Assert.InRange(PollPlanner.LateAllowance(0.95, 20), 0, 0.002);
        Assert.Equal(0, PollPlanner.LateAllowance(0.99, 10));
    }

    [Fact]
    public void A_tighter_lag_target_costs_more_queries()
    {
        var sample = Uniform(256, 5, 60);
        var q = new[] { 0.2, 0.5, 1.0 }
            .Select(l => PollPlanner.Evaluate(PollPlanner.Optimise(sample, l, 0.95, 1, 60, 0.1), sample, l, 0.1).MeanQueries)
            .ToList();
        Assert.True(q[0] > q[1] && q[1] > q[2], string.Join(", ", q));
    }

    [Fact]
    public void Short_tasks_get_an_early_first_poll_and_long_ones_a_late_one()
    {
        var fast = PollPlanner.Optimise(Uniform(256, 2, 4), 0.5, 0.95, 1, 60, 0.1);
        var slow = PollPlanner.Optimise(Uniform(256, 120, 300), 0.5, 0.95, 3, 60, 0.1);
        Assert.InRange(fast.FirstSeconds, 1, 4);
        Assert.InRange(slow.FirstSeconds, 100, 300);
    }

    [Fact]
    public void The_cap_bounds_the_interval_even_for_very_long_tasks()
    {
        var plan = PollPlanner.Optimise(Uniform(256, 600, 3000), 1.0, 0.95, 3, 60, 0.1);
        var times = Enumerable.Range(0, 60).Select(plan.ElapsedAt).ToList();
        Assert.All(times.Zip(times.Skip(1), (a, b) => b - a), g => Assert.True(g <= 60 + 1e-9));
    }
}
