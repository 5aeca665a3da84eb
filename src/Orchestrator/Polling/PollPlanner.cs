namespace Orchestrator.Polling;

/// <summary>
/// Chooses a task's poll schedule from the durations recently seen (pure). The trade: fewer queries mean a later notice.
/// The lag target says how late is acceptable — a finished task noticed within <c>LagTarget</c> of its age for
/// <c>Share</c> of tasks (p95 by default) — and the planner finds the first poll and growth ratio that meet it with the
/// fewest queries for the durations seen: the best fixed geometric schedule for that sample, searched on a grid.
/// Each task scales its whole schedule by one factor within ±jitter (tasks submitted together spread out);
/// the search accounts for that spread.
/// </summary>
public static class PollPlanner
{
    private const int Steps = 48;

    /// <param name="sorted">Recent durations in seconds, ascending; at least one.</param>
    /// <param name="lagTarget">Allowed detection lag as a fraction of the task's duration (0.5 = half its age).</param>
    /// <param name="share">Share of tasks that must meet it (0.95).</param>
    /// <param name="floor">Least seconds between polls.</param>
    /// <param name="cap">Most seconds between polls.</param>
    /// <param name="jitter">Each task's schedule scale is uniform in 1 ± jitter.</param>
    public static PollPlan Optimise(double[] sorted, double lagTarget, double share, double floor, double cap, double jitter)
    {
        var fallback = new PollPlan(Math.Max(floor, DurationSample.Quantile(sorted, 1 - share)), 1 + lagTarget, floor, cap, sorted.Length);
        PollPlan? best = null;
        var bestQueries = double.MaxValue;
        var lo = Math.Max(floor, sorted[0] * 0.5);
        var hi = Math.Max(lo, DurationSample.Quantile(sorted, 0.5));
        for (var i = 0; i <= Steps; i++)
        {
            var first = lo * Math.Pow(hi / lo, (double)i / Steps);
            for (var j = 0; j <= Steps; j++)
            {
                var ratio = 1.02 * Math.Pow(4 / 1.02, (double)j / Steps);
                var plan = new PollPlan(first, ratio, floor, cap, sorted.Length);
                var (queries, late) = Evaluate(plan, sorted, lagTarget, jitter);
                if (late <= 1 - share + 1e-9 && queries < bestQueries) (best, bestQueries) = (plan, queries);
            }
        }
        return best ?? fallback;
    }

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
