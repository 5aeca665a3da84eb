using Orchestrator.Polling;
using Orchestrator.Providers;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>
/// What a decision reads from outside the task: the clock, chance (jitter), the account's capabilities and limits,
/// the learned poll plan and the configured bounds. The actor passes the real one; unit tests pass fixed values,
/// so every transition is a plain function call.
/// </summary>
internal interface ITaskEnvironment
{
    DateTimeOffset Now { get; }

    /// <summary>A number in [0, 1) for jitter: submit retry spread, the first poll after a restart.</summary>
    double NextRandom();

    /// <summary>How the account's client submits and is polled; null when the account is not configured (or disabled).</summary>
    ProviderCapabilities? Capabilities(string account);

    /// <summary>Concurrency slots the task holds at its provider while it runs (0 when the account has no limit).</summary>
    int SlotCost(GenerationRequest request);

    /// <summary>This task's poll plan (learned for its account, kind and model, fixed once asked).</summary>
    PollPlan Plan(GenerationRequest request);

    /// <summary>This task's own stretch of the plan (about 1 ± 10%): tasks submitted together do not poll together.</summary>
    double PlanScale { get; }

    TimeSpan Deadline(GenerationRequest request);

    /// <summary>Our URL of a stored result file of this task.</summary>
    string StoredUrl(int index);

    TaskLimits Limits { get; }
}

/// <summary>The configured bounds a task's decisions use.</summary>
internal sealed record TaskLimits(
    int MaxSubmitAttempts,
    int MaxConsecutiveFailures,
    int MaxNotFoundAnswers,
    double SubmitRetryBaseSeconds,
    TimeSpan QuietInterval,
    TimeSpan QuietWatch,
    TimeSpan PassivateAfter,
    TimeSpan BatchSlot,
    bool StoresResults)
{
    /// <summary>The shortest wait for a poll a task passivates through (its actor stops, its supervisor wakes it).</summary>
    public TimeSpan SleepAfter { get; init; } = TimeSpan.MaxValue;
}
