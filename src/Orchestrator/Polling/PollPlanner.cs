namespace Orchestrator.Polling;

/// <summary>
/// Chooses a task's poll schedule from the durations recently seen (pure). The trade: fewer queries mean a later notice.
/// The lag target says how late is acceptable — a finished task noticed within <c>LagTarget</c> of its age for
/// <c>Share</c> of tasks (p95 by default) — and the planner finds the first poll and growth ratio that meet it with the
/// fewest queries for the durations seen: the best fixed geometric schedule for that sample, searched on a grid and then
/// finer around the best cells. Each task scales its whole schedule by one factor within ±jitter (tasks submitted
/// together spread out); the search accounts for that spread.
/// </summary>
internal static class PollPlanner
{
    private const int Steps = 48;
    private const double MinRatio = 1.02;
    private const double MaxRatio = 4;
    private const int RefineAround = 6;
    private const int RefineRounds = 2;

    /// <param name="sorted">Recent durations in seconds, ascending; at least one.</param>
    /// <param name="lagTarget">Allowed detection lag as a fraction of the task's duration (0.5 = half its age).</param>
    /// <param name="share">Share of tasks that must meet it (0.95).</param>
    /// <param name="floor">Least seconds between polls.</param>
    /// <param name="cap">Most seconds between polls.</param>
    /// <param name="jitter">Each task's schedule scale is uniform in 1 ± jitter.</param>
    public static PollPlan Optimise(double[] sorted, double lagTarget, double share, double floor, double cap, double jitter)
    {
        var fallback = new PollPlan(Math.Max(floor, DurationSample.Quantile(sorted, 1 - share)), 1 + lagTarget, floor, cap, sorted.Length);
        var allowed = LateAllowance(share, sorted.Length);
        var lo = Math.Max(floor, sorted[0] * 0.5);
        var hi = Math.Max(lo, DurationSample.Quantile(sorted, 0.5));
        var feasible = new List<(double Queries, double First, double Ratio)>();
        void Consider(double first, double ratio)
        {
            var (queries, late) = Evaluate(new PollPlan(first, ratio, floor, cap), sorted, lagTarget, jitter);
            if (late <= allowed + 1e-9) feasible.Add((queries, first, ratio));
        }

        // 1 + lagTarget is on the ratio grid: no task is late after the first poll, so the whole late allowance goes to
        // the shortest tasks, which is where the cheapest schedules usually sit.
        var ratios = Enumerable.Range(0, Steps + 1).Select(j => MinRatio * Math.Pow(MaxRatio / MinRatio, (double)j / Steps)).Append(1 + lagTarget);
        for (var i = 0; i <= Steps; i++)
            foreach (var ratio in ratios) Consider(lo * Math.Pow(hi / lo, (double)i / Steps), ratio);

        // The cost is a step function of first and ratio, and the cheapest plans lie on the edge of the feasible region,
        // between grid points: search a finer grid around the best few cells, each round four times finer.
        var firstStep = Math.Pow(hi / lo, 1.0 / Steps);
        var ratioStep = Math.Pow(MaxRatio / MinRatio, 1.0 / Steps);
        for (var round = 0; round < RefineRounds && feasible.Count > 0; round++)
        {
            var best = feasible.OrderBy(c => c.Queries).Take(RefineAround).ToList();
            feasible = [.. best];
            foreach (var (_, f, r) in best)
                for (var i = -4; i <= 4; i++)
                for (var j = -4; j <= 4; j++)
                    if (r * Math.Pow(ratioStep, j / 4.0) > 1) Consider(Math.Max(floor, f * Math.Pow(firstStep, i / 4.0)), r * Math.Pow(ratioStep, j / 4.0));
            firstStep = Math.Pow(firstStep, 0.25);
            ratioStep = Math.Pow(ratioStep, 0.25);
        }
        if (feasible.Count == 0) return fallback;
        var (_, bestFirst, bestRatio) = feasible.MinBy(c => c.Queries);
        return new PollPlan(bestFirst, bestRatio, floor, cap, sorted.Length);
    }

    /// <summary>
    /// Share of a sample that may be noticed late. The sample only estimates the share of fresh tasks: a plan that makes
    /// exactly <c>1 − share</c> of the sample late misses the target on fresh tasks about half the time (the shortest
    /// tasks, before the first poll, decide it, and how many of them a few hundred durations hold varies by a third).
    /// So the plan keeps one standard error of that estimate in hand.
    /// </summary>
    public static double LateAllowance(double share, int samples) =>
        Math.Max(0, 1 - share - Math.Sqrt(share * (1 - share) / Math.Max(1, samples)));

    /// <summary>Mean queries per task, and the share of tasks noticed later than <paramref name="lagTarget"/> of their age.</summary>
    public static (double MeanQueries, double LateShare) Evaluate(PollPlan plan, double[] sorted, double lagTarget, double jitter)
    {
        if (sorted.Length == 0) return (0, 0);
        var scales = jitter > 0 ? new[] { 1 - jitter, 1 - jitter / 2, 1.0, 1 + jitter / 2, 1 + jitter } : [1.0];
        double queries = 0, late = 0;
        foreach (var scale in scales)
        {
            // Durations ascend, so one walk along the poll times serves them all.
            var k = 0;
            var t = plan.ElapsedAt(0);
            foreach (var d in sorted)
            {
                while (t * scale < d) { t = plan.Next(t); k++; }
                queries += k + 1;
                if (t * scale - d > lagTarget * d) late++;
            }
        }
        var n = (double)sorted.Length * scales.Length;
        return (queries / n, late / n);
    }
}
