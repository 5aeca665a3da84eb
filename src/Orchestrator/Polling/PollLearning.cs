using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Polling;

/// <summary>
/// What this node has learned about task durations, per provider account, kind and model, and each account's
/// polling figures. Shared by all task actors of the node (thread-safe); a plan is re-searched at most every
/// <see cref="ReplanEvery"/> and only after new durations arrived, so the search costs nothing per task.
/// Learning is statistical and per node: after a restart or on another node it starts again from the prior.
/// </summary>
public sealed class PollLearning(OrchestratorOptions options, TimeProvider clock)
{
    public static readonly TimeSpan ReplanEvery = TimeSpan.FromSeconds(5);
    private const int ReplanAfterNew = 16;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Account, GenerationKind Kind, string Model), Learned> _learned = new();
    private readonly Dictionary<string, AccountPolling> _accounts = new(StringComparer.OrdinalIgnoreCase);

    private PollingOptions P => options.Polling;

    /// <summary>The schedule for a new task of this account, kind and model: learned once enough tasks ended, else the prior.</summary>
    public PollPlan PlanFor(GenerationRequest r)
    {
        var floor = r.IsVideo ? P.VideoFloorSeconds : P.ImageFloorSeconds;
        lock (_lock)
        {
            return LearnedFor(r) is { } l ? Refreshed(l, floor).Plan! : Prior(r, floor);
        }
    }

    /// <summary>
    /// With provider callbacks the polls are only a safety net for a callback that never comes: they start well after
    /// almost every task has ended (1.5 × the learned p99, or 3 × the prior) and double from there.
    /// </summary>
    public PollPlan SafetyNetFor(GenerationRequest r)
    {
        var floor = r.IsVideo ? P.VideoFloorSeconds : P.ImageFloorSeconds;
        double first;
        lock (_lock)
        {
            first = LearnedFor(r) is { } l ? 1.5 * Refreshed(l, floor).P99 : 3 * PriorSeconds(r);
        }
        return new PollPlan(Math.Max(floor, first), 2, floor, Math.Max(P.CapSeconds, 10 * P.CapSeconds));
    }

    /// <summary>A task whose provider task ended after <paramref name="seconds"/> (submission to the provider's own end time).</summary>
    public void RecordDuration(GenerationRequest r, double seconds)
    {
        lock (_lock)
        {
            if (!_learned.TryGetValue(Key(r), out var l)) _learned[Key(r)] = l = new Learned(new DurationSample(Math.Max(8, P.SampleSize)));
            l.Sample.Add(seconds);
        }
    }

    /// <summary>A task ended after <paramref name="queries"/> polls; <paramref name="detectionLag"/> is our end minus the provider's.</summary>
    public void RecordFinished(string account, int queries, TimeSpan? detectionLag)
    {
        lock (_lock)
        {
            if (!_accounts.TryGetValue(account, out var a)) _accounts[account] = a = new AccountPolling();
            a.Add(queries, detectionLag);
        }
    }

    /// <summary>The account's polling figures and current plans, for <c>GET /v1/providers</c>.</summary>
    public PollingStats StatsFor(string account)
    {
        lock (_lock)
        {
            var plans = _learned.Where(kv => string.Equals(kv.Key.Account, account, StringComparison.OrdinalIgnoreCase) && kv.Value.Plan is not null)
                .Select(kv => new LearnedPlan(kv.Key.Kind.WireName(), kv.Key.Model, kv.Value.Plan!.FirstSeconds, kv.Value.Plan.Ratio, kv.Value.Sample.Count))
                .OrderBy(p => p.Kind).ThenBy(p => p.Model).ToList();
            return (_accounts.TryGetValue(account, out var a) ? a.Stats() : PollingStats.None) with { Plans = plans };
        }
    }

    /// <summary>The durations learned for this account, kind and model, once there are enough of them.</summary>
    private Learned? LearnedFor(GenerationRequest r) =>
        _learned.TryGetValue(Key(r), out var l) && l.Sample.Count >= Math.Max(1, P.MinSamples) ? l : null;

    /// <summary>Re-searches the plan (and the p99 the safety net starts from) when enough is new: one sort serves both.</summary>
    private Learned Refreshed(Learned l, double floor)
    {
        var now = clock.GetUtcNow();
        if (l.Plan is null || (l.Sample.Added - l.PlannedAt >= ReplanAfterNew && now - l.PlannedTime >= ReplanEvery))
        {
            var sorted = l.Sample.Sorted();
            l.Plan = PollPlanner.Optimise(sorted, P.LagTarget, P.LagShare, floor, P.CapSeconds, P.Jitter);
            l.P99 = DurationSample.Quantile(sorted, 0.99);
            l.PlannedAt = l.Sample.Added;
            l.PlannedTime = now;
        }
        return l;
    }

    private PollPlan Prior(GenerationRequest r, double floor) =>
        new(Math.Max(floor, PriorSeconds(r)), 1 + P.LagTarget, floor, P.CapSeconds);

    private double PriorSeconds(GenerationRequest r)
    {
        var account = options.Providers.GetValueOrDefault(r.Provider);
        return r.IsVideo
            ? account?.VideoPriorSeconds ?? P.VideoPriorSeconds
            : account?.ImagePriorSeconds ?? P.ImagePriorSeconds;
    }

    private static (string, GenerationKind, string) Key(GenerationRequest r) => (r.Provider.ToLowerInvariant(), r.Kind, r.Model);

    private sealed class Learned(DurationSample sample)
    {
        public DurationSample Sample { get; } = sample;
        public PollPlan? Plan { get; set; }
        public double P99 { get; set; }
        public long PlannedAt { get; set; }
        public DateTimeOffset PlannedTime { get; set; }
    }
}
