using Orchestrator.Hosting;

namespace Orchestrator.Polling;

/// <summary>When a task polls next (pure): its plan's next poll time, scaled by the task's own jitter factor.</summary>
internal static class PollSchedule
{
    /// <summary>A task's jitter factor, fixed for its life: its whole schedule is stretched by it (1 ± jitter).</summary>
    public static double Scale(double jitter, double unitRandom) => 1 + jitter * (2 * unitRandom - 1);

    /// <summary>
    /// The delay from now until the task's next planned poll: the first poll time of <paramref name="plan"/>, scaled by
    /// <paramref name="scale"/>, that lies ahead. <paramref name="elapsed"/> is the time since submission. After a poll
    /// (<paramref name="first"/> false) the next lies at least half a floor ahead, so a poll the throttle delayed is not
    /// followed by a hurried one; after a restart the task simply continues at its next planned time.
    /// </summary>
    public static TimeSpan Delay(PollPlan plan, double scale, TimeSpan elapsed, bool first)
    {
        var now = elapsed.TotalSeconds;
        var least = now + (first ? 0 : plan.FloorSeconds / 2);
        var t = plan.ElapsedAt(0);
        for (var k = 0; t * scale < least && k < 100_000; k++) t = plan.Next(t);
        return TimeSpan.FromSeconds(Math.Max(0, t * scale - now));
    }

    /// <summary>
    /// Rounds a poll time up to the next multiple of <paramref name="slot"/> on the wall clock, so that tasks of one
    /// account become due at the same instants and a page query can answer many of them at once.
    /// </summary>
    public static TimeSpan AlignToSlot(DateTimeOffset now, TimeSpan delay, TimeSpan slot)
    {
        if (slot <= TimeSpan.Zero) return delay;
        var due = (now + delay).UtcTicks;
        var aligned = (due + slot.Ticks - 1) / slot.Ticks * slot.Ticks;
        return TimeSpan.FromTicks(aligned - now.UtcTicks);
    }

    /// <summary>Submit retries: doubling from <paramref name="baseSeconds"/> (<c>Tasks:SubmitRetryBaseSeconds</c>), capped at 60 s, ±10% jitter.</summary>
    public static TimeSpan SubmitRetryDelay(double baseSeconds, int attempt, double unitRandom)
    {
        var raw = Math.Min(60, baseSeconds * Math.Pow(2, Math.Max(0, attempt - 1)));
        return TimeSpan.FromSeconds(raw * (0.9 + 0.2 * unitRandom));
    }
}
