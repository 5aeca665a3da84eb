namespace Orchestrator.Polling;

/// <summary>
/// A task's poll times, as seconds after its submission: the first at <see cref="FirstSeconds"/>, then each
/// <see cref="Ratio"/> times the previous (so a task that finished is noticed within about <c>Ratio − 1</c> of its age),
/// never closer than <see cref="FloorSeconds"/> nor further apart than <see cref="CapSeconds"/>.
/// </summary>
/// <param name="FirstSeconds">First poll after submission.</param>
/// <param name="Ratio">Growth of the elapsed time from one poll to the next.</param>
/// <param name="FloorSeconds">Least interval between two polls (DMXAPI's example intervals: 1 s images / 3 s videos).</param>
/// <param name="CapSeconds">Longest interval between two polls.</param>
/// <param name="Samples">Durations the plan was learned from; 0 for the configured prior.</param>
internal sealed record PollPlan(double FirstSeconds, double Ratio, double FloorSeconds, double CapSeconds, int Samples = 0)
{
    /// <summary>Seconds after submission of poll <paramref name="k"/> (0 = the first), before the task's jitter scale.</summary>
    public double ElapsedAt(int k)
    {
        var t = Math.Max(FirstSeconds, FloorSeconds);
        for (var i = 0; i < k && i < 10_000; i++) t = Next(t);
        return t;
    }

    /// <summary>The poll after one at <paramref name="elapsed"/> seconds.</summary>
    public double Next(double elapsed) => elapsed + Math.Clamp(elapsed * (Ratio - 1), FloorSeconds, Math.Max(FloorSeconds, CapSeconds));
}
