using Akka.Actor;
using Orchestrator.Callbacks;
using Orchestrator.Hosting;
using Orchestrator.Polling;
using Orchestrator.ReadModel;
using Orchestrator.ResultFiles;
using Orchestrator.Providers;

namespace Orchestrator.Tasks;

/// <summary>What every task actor shares: configuration, provider clients, the clock, the throttle router, learned poll plans and callback tokens.</summary>
internal sealed class TaskRuntime(OrchestratorOptions options, ProviderDirectory providers, TimeProvider clock, IActorRef throttles,
    PollLearning? learning = null, CallbackTokens? callbacks = null, ResultRehoster? results = null, LiveTaskViews? live = null,
    Timelines.TaskTimelines? timelines = null)
{
    public OrchestratorOptions Options { get; } = options;
    public ProviderDirectory Providers { get; } = providers;
    public TimeProvider Clock { get; } = clock;
    public IActorRef Throttles { get; } = throttles;
    public PollLearning Learning { get; } = learning ?? new PollLearning(options, clock);
    public CallbackTokens Callbacks { get; } = callbacks ?? new CallbackTokens(options);
    /// <summary>Copies result files into our store before a task counts as succeeded; null or disabled = provider URLs only.</summary>
    public ResultRehoster? Results { get; } = results is { Enabled: true } ? results : null;
    /// <summary>Where each running task shows its latest view to readers (GETs never wake or ask an actor).</summary>
    public LiveTaskViews Live { get; } = live ?? new LiveTaskViews();
    /// <summary>Polls, callbacks and in-memory statuses of recent tasks, for their timelines (the journal holds the rest).</summary>
    public Timelines.TaskTimelines Timelines { get; } = timelines ?? new Timelines.TaskTimelines();
    public DateTimeOffset Now => Clock.GetUtcNow();
    /// <summary>Where task actors log, each line in its task's scope (<see cref="Telemetry.TaskLogScope"/>); null: Akka's log.</summary>
    public Microsoft.Extensions.Logging.ILogger? Log { get; init; }

    /// <summary>A single node's restart reads its unfinished tasks back in bulk here (null: each replays its own journal).</summary>
    internal JournaledTaskStates? JournalStates { get; init; }

    /// <summary>Cluster mode: where a sharded task falls asleep (null on a single node, whose supervisor keeps its sleepers).</summary>
    internal Cluster.TaskWakeUpTable? WakeUps { get; init; }

    /// <summary>Cluster mode: task actors are sharded entities, and the throttles they ask may live on other nodes.</summary>
    public bool Sharded => Options.Cluster.Enabled;

    /// <summary>The configured bounds of a task's decisions, read once.</summary>
    internal Lifecycle.TaskLimits Limits { get; } = new(
        options.Tasks.MaxSubmitAttempts, options.Polling.MaxConsecutiveFailures, Math.Max(1, options.Polling.MaxNotFoundAnswers),
        options.Tasks.SubmitRetryBaseSeconds,
        QuietInterval: TimeSpan.FromSeconds(Math.Max(1, options.Polling.CapSeconds)),
        QuietWatch: TimeSpan.FromSeconds(options.Tasks.QuietWatchSeconds),
        PassivateAfter: TimeSpan.FromSeconds(options.Tasks.PassivateAfterSeconds),
        BatchSlot: TimeSpan.FromSeconds(options.Polling.BatchSlotSeconds),
        StoresResults: results is { Enabled: true })
    {
        SleepAfter = options.Tasks.SleepAfter(),
    };

    /// <summary>Our URL of a stored result file.</summary>
    public string StoredUrl(string taskId, int index) => Options.PublicBaseUrl?.TrimEnd('/') + StoredResults.RelativeUrl(taskId, index);

    public TimeSpan DeadlineFor(GenerationRequest r) => TimeSpan.FromSeconds(
        r.DeadlineSeconds ?? (r.IsVideo ? Options.Tasks.VideoDeadlineSeconds : Options.Tasks.ImageDeadlineSeconds));
}
