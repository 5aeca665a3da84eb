using Orchestrator.Hosting;

namespace Orchestrator.Tasks;

/// <summary>
/// When to poll next (pure): capped exponential backoff from the seeds' floor (1 s images, 3 s videos),
/// with a small relative jitter so that tasks submitted together spread out instead of polling in lockstep.
/// </summary>
public static class PollSchedule
{
    /// <param name="o">Polling options.</param>
    /// <param name="isVideo">Videos start at the 3 s floor, images at 1 s.</param>
    /// <param name="pollsSoFar">Polls already made since submission (0 for the first).</param>
    /// <param name="unitRandom">A uniform sample in [0, 1) for the jitter.</param>
    public static TimeSpan Delay(PollingOptions o, bool isVideo, int pollsSoFar, double unitRandom)
    {
        var floor = isVideo ? o.VideoFloorSeconds : o.ImageFloorSeconds;
        var raw = floor * Math.Pow(Math.Max(1, o.BackoffRatio), Math.Min(pollsSoFar, 64));
        var capped = Math.Min(raw, Math.Max(floor, o.CapSeconds));
        var jittered = capped * (1 + o.Jitter * (2 * unitRandom - 1));
        return TimeSpan.FromSeconds(Math.Max(floor * (1 - o.Jitter), jittered));
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

    /// <summary>Submit retries: doubling from the base, capped at 60 s, with the same jitter.</summary>
    public static TimeSpan SubmitRetryDelay(TaskOptions o, int attempt, double unitRandom)
    {
        var raw = Math.Min(60, o.SubmitRetryBaseSeconds * Math.Pow(2, Math.Max(0, attempt - 1)));
        return TimeSpan.FromSeconds(raw * (0.9 + 0.2 * unitRandom));
    }
}
