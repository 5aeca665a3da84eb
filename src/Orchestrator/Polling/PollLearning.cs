using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Polling;

/// <summary>
/// What this node has learned about task durations, per provider account, kind and model, and each account's
/// polling figures. Shared by all task actors of the node (thread-safe); a plan is re-searched at most every
/// <see cref="ReplanEvery"/> and only after new durations arrived, so the search costs nothing per task.
/// Learning is statistical and per node: after a restart or on another node it starts again from the prior.
/// </summary>
internal sealed class PollLearning(OrchestratorOptions options, TimeProvider clock)
{
    public static readonly TimeSpan ReplanEvery = TimeSpan.FromSeconds(5);
    private const int ReplanAfterNew = 16;
    private const double MinSeconds = 0.001;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Account, GenerationKind Kind, string Model), Learned> _learned = new();
    private readonly Dictionary<string, AccountPolling> _accounts = new(StringComparer.OrdinalIgnoreCase);

    private PollingOptions P => options.Polling;

    /// <summary>
    /// The schedule for a new task of this account, kind and model: the planner's once enough tasks ended; before that
    /// the prior's shape, its first poll moved from the prior towards the durations seen (<see cref="Blend"/>).
    /// </summary>
    public PollPlan PlanFor(GenerationRequest r)
    {
        var floor = r.IsVideo ? P.VideoFloorSeconds : P.ImageFloorSeconds;
        lock (_lock)
        {
            if (LearnedFor(r) is { } l) return Refreshed(l, floor).Plan!;
            if (EarlyFor(r) is not { } early) return Prior(r, floor);
            var first = Blend(PriorSeconds(r), DurationSample.Quantile(early, 1 - P.LagShare), early.Length);
            return new PollPlan(Math.Max(floor, first), 1 + P.LagTarget, floor, P.CapSeconds, early.Length);
        }
    }

    /// <summary>
    /// With provider callbacks the polls are only a safety net for a callback that never comes: they start well after
    /// almost every task has ended (1.5 × the learned p99, or 3 × the prior blended with the few durations seen) and
    /// double from there.
    /// </summary>
    public PollPlan SafetyNetFor(GenerationRequest r)
    {
        var floor = r.IsVideo ? P.VideoFloorSeconds : P.ImageFloorSeconds;
        double first;
        lock (_lock)
        {
            first = LearnedFor(r) is { } l ? 1.5 * Refreshed(l, floor).P99
                : EarlyFor(r) is { } early ? Blend(3 * PriorSeconds(r), 1.5 * early[^1], early.Length)
                : 3 * PriorSeconds(r);
        }
        return new PollPlan(Math.Max(floor, first), 2, floor, Math.Max(P.CapSeconds, 10 * P.CapSeconds));
    }

    /// <summary>
    /// The prior and the first few durations seen, as a geometric mean in which the prior counts as one finished task:
    /// after one task it is halfway (on a log scale), after five it weighs a sixth. So an account whose tasks take 2 s
    /// and whose prior says 60 s polls first at about 3.5 s after five tasks, rather than waiting for the planner's
    /// <see cref="PollingOptions.MinSamples"/>; and one noisy early duration cannot move the schedule all the way.
    /// </summary>
    public static double Blend(double prior, double seen, int samples) =>
        Math.Exp((Math.Log(Math.Max(prior, MinSeconds)) + samples * Math.Log(Math.Max(seen, MinSeconds))) / (samples + 1));

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

    /// <summary>The durations seen so far, ascending, while they are too few for the planner; null when none.</summary>
    private double[]? EarlyFor(GenerationRequest r) =>
        _learned.TryGetValue(Key(r), out var l) && l.Sample.Count > 0 ? l.Sample.Sorted() : null;

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
