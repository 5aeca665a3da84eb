namespace Orchestrator.Bench;

/// <summary>A fixed geometric poll schedule and what it costs on a set of durations.</summary>
/// <param name="FirstSeconds">First poll, seconds after submission.</param>
/// <param name="Ratio">Growth of the elapsed time from one poll to the next.</param>
/// <param name="MeanQueries">Mean polls per task until the one that sees it ended.</param>
/// <param name="P95RelativeLag">p95 (nearest rank) of (detection lag / duration).</param>
public sealed record FixedSchedule(double FirstSeconds, double Ratio, double MeanQueries, double P95RelativeLag);

/// <summary>
/// The yardstick of issue 14, found offline and independently of the orchestrator's planner: for the durations actually
/// drawn, the fixed schedule (polls at t0, then each step <c>t·(r − 1)</c> held between the floor and the cap, no jitter)
/// with the fewest mean queries whose p95 relative lag stays within a limit. Pure; searched on a fine log grid, then
/// refined around the best cells (the cost is a step function of t0 and r, so a grid alone can miss a cheaper corner).
/// </summary>
public static class BestFixedSchedule
{
    private const int GridSteps = 240;
    private const int RefineSteps = 24;
    private const int RefineRounds = 3;
    private const int RefineAround = 8;
    private const double MinRatio = 1.01;
    private const double MaxRatio = 8;

    /// <summary>The cheapest schedule with p95 relative lag ≤ <paramref name="p95LagLimit"/>; null when no schedule on the grid meets it.</summary>
    /// <param name="durations">Task durations, seconds (any order; at least one).</param>
    /// <param name="p95LagLimit">Largest allowed p95 of detection lag / duration.</param>
    /// <param name="floor">Least seconds between polls (also the earliest first poll).</param>
    /// <param name="cap">Most seconds between polls.</param>
    public static FixedSchedule? Find(IReadOnlyCollection<double> durations, double p95LagLimit, double floor = 1, double cap = 60)
    {
        var sorted = durations.Where(d => d > 0 && double.IsFinite(d)).Order().ToArray();
        if (sorted.Length == 0) return null;
        // p95 (nearest rank) ≤ limit ⇔ at most n − ceil(0.95 n) tasks are later than the limit.
        var allowedLate = sorted.Length - (int)Math.Ceiling(0.95 * sorted.Length);

        // A first poll past the longest task never helps; a hair above it keeps that one exact point on the grid.
        double firstLo = floor, firstHi = Math.Max(floor, sorted[^1] * (1 + 1e-9));
        var candidates = new List<(double Queries, double First, double Ratio)>();
        for (var i = 0; i <= GridSteps; i++)
        {
            var first = LogStep(firstLo, firstHi, i, GridSteps);
            for (var j = 0; j <= GridSteps; j++)
            {
                var ratio = LogStep(MinRatio, MaxRatio, j, GridSteps);
                if (Cost(sorted, first, ratio, floor, cap, p95LagLimit, allowedLate) is { } q) candidates.Add((q, first, ratio));
            }
        }
        if (candidates.Count == 0) return null;

        // Zoom in around the best cells: one grid step either way, finer each round.
        var firstStep = Math.Pow(firstHi / firstLo, 1.0 / GridSteps);
        var ratioStep = Math.Pow(MaxRatio / MinRatio, 1.0 / GridSteps);
        var best = candidates.OrderBy(c => c.Queries).Take(RefineAround).ToList();
        for (var round = 0; round < RefineRounds; round++)
        {
            var next = new List<(double Queries, double First, double Ratio)>(best);
            foreach (var (_, f, r) in best)
            {
                for (var i = 0; i <= RefineSteps; i++)
                {
                    var first = LogStep(Math.Max(floor, f / firstStep), f * firstStep, i, RefineSteps);
                    for (var j = 0; j <= RefineSteps; j++)
                    {
                        var ratio = LogStep(Math.Max(MinRatio, r / ratioStep), r * ratioStep, j, RefineSteps);
                        if (Cost(sorted, first, ratio, floor, cap, p95LagLimit, allowedLate) is { } q) next.Add((q, first, ratio));
                    }
                }
            }
            best = next.OrderBy(c => c.Queries).DistinctBy(c => (c.First, c.Ratio)).Take(RefineAround).ToList();
            firstStep = Math.Pow(firstStep, 2.0 / RefineSteps);
            ratioStep = Math.Pow(ratioStep, 2.0 / RefineSteps);
        }

        var (queries, bestFirst, bestRatio) = best[0];
        return new FixedSchedule(bestFirst, bestRatio, queries, Evaluate(sorted, bestFirst, bestRatio, floor, cap).P95RelativeLag);
    }

    /// <summary>Mean queries and p95 relative lag of one schedule on <paramref name="durations"/>.</summary>
    public static (double MeanQueries, double P95RelativeLag) Evaluate(IReadOnlyCollection<double> durations, double first, double ratio, double floor = 1, double cap = 60)
    {
        var sorted = durations.Order().ToArray();
        if (sorted.Length == 0) return (0, 0);
        var lags = new double[sorted.Length];
        double queries = 0;
        var k = 1;
        var t = Math.Max(first, floor);
        for (var n = 0; n < sorted.Length; n++)
        {
            while (t < sorted[n]) { t = Next(t, ratio, floor, cap); k++; }
            queries += k;
            lags[n] = (t - sorted[n]) / sorted[n];
        }
        Array.Sort(lags);
        return (queries / sorted.Length, Quantile(lags, 0.95));
    }

    /// <summary>The poll after one at <paramref name="t"/> seconds: the same rule as the orchestrator's plans.</summary>
    public static double Next(double t, double ratio, double floor, double cap) => t + Math.Clamp(t * (ratio - 1), floor, Math.Max(floor, cap));

    /// <summary>Nearest-rank quantile of ascending values (the figure the bench reports for runs).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>Mean queries if the schedule keeps all but <paramref name="allowedLate"/> tasks within the lag limit, else null.</summary>
    private static double? Cost(double[] sorted, double first, double ratio, double floor, double cap, double limit, int allowedLate)
    {
        // Durations ascend, so one walk along the poll times serves them all.
        double queries = 0;
        var late = 0;
        var k = 1;
        var t = Math.Max(first, floor);
        foreach (var d in sorted)
        {
            while (t < d) { t = Next(t, ratio, floor, cap); k++; }
            queries += k;
            if (t - d > limit * d && ++late > allowedLate) return null;
        }
        return queries / sorted.Length;
    }

    private static double LogStep(double lo, double hi, int i, int steps) => lo * Math.Pow(hi / lo, (double)i / steps);
}
