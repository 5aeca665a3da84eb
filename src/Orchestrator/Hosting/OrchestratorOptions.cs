using Orchestrator.ResultFiles;
using Orchestrator.Webhooks;

namespace Orchestrator.Hosting;

/// <summary>
/// Everything under the <c>Orchestrator</c> configuration section. <c>config/appsettings.json</c> holds the defaults;
/// environment variables (<c>Orchestrator__Providers__dmxapi__ApiKey</c>) override them.
/// </summary>
public sealed class OrchestratorOptions
{
    /// <summary>Journal and snapshot storage.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>Cluster mode: several nodes on one PostgreSQL database (off by default).</summary>
    public ClusterModeOptions Cluster { get; set; } = new();

    /// <summary>Provider accounts by name. The name is what a task's <c>provider</c> field names.</summary>
    public Dictionary<string, ProviderAccountOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Poll schedule.</summary>
    public PollingOptions Polling { get; set; } = new();

    /// <summary>Task-level limits: deadlines and submit retries.</summary>
    public TaskOptions Tasks { get; set; } = new();

    /// <summary>
    /// The address providers can reach this service at (e.g. <c>https://orchestrator.example.com</c>). When set, every
    /// submit carries a callback URL <c>{PublicBaseUrl}/v1/callbacks/{provider}/{taskId}?token=…</c> and polling becomes
    /// a slow safety net for callbacks that never come.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Provider callbacks: where the secret behind their per-task tokens comes from.</summary>
    public CallbackOptions Callbacks { get; set; } = new();

    /// <summary>Re-hosting of result files (<c>Orchestrator:Results</c>): downloaded into our own store before the provider's URLs expire.</summary>
    public ResultOptions Results { get; set; } = new();

    /// <summary>Signed webhook deliveries: retry schedule, timeouts, which targets are allowed.</summary>
    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>
    /// The Data Protection key ring that encrypts the webhook secrets the journal holds. Unset: <c>keys</c> beside the
    /// SQLite database file, or, on PostgreSQL, beside the result store's folder (<c>data/keys</c> with the defaults).
    /// Back it up with the database: without it those secrets cannot be read. Nodes sharing a journal share it too.
    /// </summary>
    public string? KeyRingDirectory { get; set; }

    /// <summary>Batch uploads: how many lines one may hold, how many rejections its answer lists.</summary>
    public BatchOptions Batches { get; set; } = new();

    /// <summary>How long ended tasks are kept (journal, read model, result files).</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>
    /// Least level of Akka's own log lines passed to the host's logging: Debug, Info (default), Warning or Error. Applies to the
    /// actor system <c>AddOrchestrator</c> creates (the server's); a host that adds <c>WithOrchestrator</c> to its own keeps its own loggers.
    /// </summary>
    public string AkkaLogLevel { get; set; } = "Info";
}

/// <summary>Where the journal lives.</summary>
public sealed class StorageOptions
{
    /// <summary><c>Sqlite</c> (default) or <c>PostgreSql</c>.</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>ADO.NET connection string. The SQLite default is a file under <c>data/</c> beside where the process runs.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/orchestrator.db";

    /// <summary>
    /// How long a start waits, in seconds, for a PostgreSQL journal to accept connections (a database that is still
    /// starting) before it stops with the reason. A refusal from the server itself (wrong password, no such database)
    /// stops it at once.
    /// </summary>
    public double StartupWaitSeconds { get; set; } = 30;
}

/// <summary>One provider account. Several accounts of one provider type may exist side by side, each with its own throttle.</summary>
public sealed class ProviderAccountOptions
{
    /// <summary><c>dmxapi</c>, <c>kling</c>, <c>chanjing</c> or <c>simulator</c>; defaults to the account's name.</summary>
    public string? Type { get; set; }

    /// <summary>The provider's base URL. For the simulator, empty means the in-process simulator.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Requests per second the account may send, held over any rolling one-second window.</summary>
    public double Qps { get; set; } = 10;

    /// <summary>
    /// Milliseconds added to the one-second window as a safety margin. A call counts from its permit until its answer,
    /// which brackets its arrival at the provider, so the window itself needs no margin for delays on the way; this
    /// covers clock resolution and how the provider rounds its window. 10 ms keeps about 98% of the rate.
    /// </summary>
    public double JitterAllowanceMs { get; set; } = 10;

    /// <summary>
    /// Least milliseconds the provider is known to spend on a call after it arrives. A call counts against the rate
    /// until its answer comes, less this; 0 (the safe default) costs rate when round trips are long.
    /// </summary>
    public double ServerTimeAllowanceMs { get; set; }

    /// <summary>DMXAPI bearer key (<c>sk-…</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Kling official AccessKey (the JWT's <c>iss</c>).</summary>
    public string? AccessKey { get; set; }

    /// <summary>Kling SecretKey (signs the JWT) or Chanjing secret_key.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Chanjing app_id.</summary>
    public string? AppId { get; set; }

    /// <summary>Kling official: <c>singapore</c> (default, international) or <c>beijing</c>; ignored when BaseUrl is set.</summary>
    public string? Region { get; set; }

    /// <summary>
    /// This account's first poll for images until durations are learned; null = <c>Polling:ImagePriorSeconds</c> (for the
    /// server's in-process simulator: from the simulator's own image durations).
    /// </summary>
    public double? ImagePriorSeconds { get; set; }

    /// <summary>
    /// This account's first poll for videos until durations are learned; null = <c>Polling:VideoPriorSeconds</c> (for the
    /// server's in-process simulator: from the simulator's own video durations).
    /// </summary>
    public double? VideoPriorSeconds { get; set; }

    /// <summary>Set false to switch an account off without removing it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Provider tasks this account may have running at once (Kling's concurrency limit); null = no limit.</summary>
    public int? MaxConcurrentTasks { get; set; }

    /// <summary>Whether an image task holds one concurrency slot per requested image (Kling counts <c>n</c>) or one.</summary>
    public bool SlotPerImage { get; set; } = true;

    /// <summary>Tasks that may wait for a submit permit before <c>POST /v1/tasks</c> answers 429.</summary>
    public int MaxQueuedSubmits { get; set; } = 100_000;

    /// <summary>Per-request timeout in seconds.</summary>
    public double RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Models this account takes beyond the ones its provider type documents, by kind (<c>text-to-image</c>,
    /// <c>text-to-video</c>, <c>image-to-video</c>): for a model released after this version, e.g.
    /// <c>Orchestrator:Providers:kling:ExtraModels:text-to-video:0 = kling-v3</c>.
    /// </summary>
    public Dictionary<string, List<string>> ExtraModels { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Poll timing (docs/polling.md): the first poll at a learned early point of the durations seen for the same account,
/// kind and model (the prior until enough tasks ended), then geometric growth chosen to notice a finished task within
/// <see cref="LagTarget"/> of its age for <see cref="LagShare"/> of tasks with the fewest queries; between the floor and the cap.
/// </summary>
public sealed class PollingOptions
{
    /// <summary>Allowed detection lag as a fraction of a task's age: 0.5 = a task that took 20 s is noticed by about 30 s.</summary>
    public double LagTarget { get; set; } = 0.5;

    /// <summary>Share of tasks the lag target holds for (0.95 = p95).</summary>
    public double LagShare { get; set; } = 0.95;

    /// <summary>First poll for images until durations are learned, seconds after submission (an account may override).</summary>
    public double ImagePriorSeconds { get; set; } = 10;

    /// <summary>First poll for videos until durations are learned, seconds after submission (an account may override).</summary>
    public double VideoPriorSeconds { get; set; } = 60;

    /// <summary>
    /// Finished tasks of one account, kind and model before the planner searches their durations for the best schedule.
    /// Before that each finished task already moves the first poll from the prior towards what was seen (the prior counts
    /// as one task), so a new account adapts within about five tasks.
    /// </summary>
    public int MinSamples { get; set; } = 20;

    /// <summary>Most recent durations kept per account, kind and model.</summary>
    public int SampleSize { get; set; } = 256;

    /// <summary>Least interval between two polls of an image task, seconds (DMXAPI's own examples poll every 1 s).</summary>
    public double ImageFloorSeconds { get; set; } = 1;

    /// <summary>Least interval between two polls of a video task, seconds (DMXAPI's own examples poll every 3 s).</summary>
    public double VideoFloorSeconds { get; set; } = 3;

    /// <summary>Longest interval between two polls, seconds; also the quiet-watching interval.</summary>
    public double CapSeconds { get; set; } = 60;

    /// <summary>Each task stretches its whole schedule by one factor in 1 ± this (0.1 = ±10%), so tasks submitted together spread out.</summary>
    public double Jitter { get; set; } = 0.1;

    /// <summary>
    /// Providers with a page query (Chanjing): poll times are rounded up to multiples of this, so tasks due
    /// together are asked in one call of up to 50.
    /// </summary>
    public double BatchSlotSeconds { get; set; } = 0.5;

    /// <summary>Consecutive failed polls (faults, malformed answers) after which the task fails.</summary>
    public int MaxConsecutiveFailures { get; set; } = 20;

    /// <summary>
    /// Consecutive polls a provider may answer "not found" (Kling 1203, Chanjing leaving the task out) for a task whose
    /// provider id we hold before the task fails: a provider may not know a task it just accepted yet.
    /// </summary>
    public int MaxNotFoundAnswers { get; set; } = 5;
}

/// <summary>Task-level limits.</summary>
public sealed class TaskOptions
{
    /// <summary>Default deadline for image tasks, seconds after acceptance.</summary>
    public int ImageDeadlineSeconds { get; set; } = 900;

    /// <summary>Default deadline for video tasks, seconds after acceptance.</summary>
    public int VideoDeadlineSeconds { get; set; } = 3600;

    /// <summary>
    /// Transient submit failures retried before the task fails with the last error. 12 with the 1 s base: about 5 minutes
    /// from the first attempt to the last, so a provider down for a few minutes fails no task (6 gave up after 28 s).
    /// </summary>
    public int MaxSubmitAttempts { get; set; } = 12;

    /// <summary>First submit retry delay, seconds; doubles per attempt up to 60 s.</summary>
    public double SubmitRetryBaseSeconds { get; set; } = 1;

    /// <summary>
    /// After a task is cancelled or times out, its provider task keeps running (providers have no cancel call) and
    /// keeps its concurrency slot: it is watched quietly at the cap interval for at most this many seconds.
    /// </summary>
    public double QuietWatchSeconds { get; set; } = 3600;

    /// <summary>How long an ended task's actor stays in memory for follow-up reads before it is passivated, seconds.</summary>
    public double PassivateAfterSeconds { get; set; } = 30;

    /// <summary>
    /// A task whose next poll is at least this many seconds away sleeps until then: its actor stops and its supervisor
    /// wakes it with the state it left, so tasks that wait on a provider for minutes cost a few hundred bytes each
    /// instead of an actor (100,000 in flight in 870 MB, docs/benchmarks.md). In cluster mode the wake-up is a row of
    /// the shared database, woken by one waker for the cluster (docs/cluster.md). Unset: <see cref="DefaultSleepWhenWaitingSeconds"/>.
    /// 0 turns it off.
    /// </summary>
    public double? SleepWhenWaitingSeconds { get; set; }

    /// <summary>What an unset <see cref="SleepWhenWaitingSeconds"/> means: long enough that a task polled every few
    /// seconds stays awake, short enough that a video waiting minutes sleeps. The same in cluster mode, where a sleep
    /// costs two small writes to the shared database (its row, and its deletion once woken), at most one pair per
    /// 30 s of waiting: less than the poll it waits for.</summary>
    public const double DefaultSleepWhenWaitingSeconds = 30;

    /// <summary>How long a wait must be for a task to sleep through it; <see cref="TimeSpan.MaxValue"/> when tasks never sleep.</summary>
    public TimeSpan SleepAfter() =>
        (SleepWhenWaitingSeconds ?? DefaultSleepWhenWaitingSeconds) is > 0 and var seconds
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.MaxValue;
}

/// <summary>The secret that per-task callback tokens are derived from (HMAC-SHA256 of the task id).</summary>
public sealed class CallbackOptions
{
    /// <summary>The secret itself (at least 32 characters). Set it, shared, when several nodes serve callbacks.</summary>
    public string? Secret { get; set; }

    /// <summary>Without <see cref="Secret"/>: a file holding a random secret, created on first use (tokens survive restarts).</summary>
    public string SecretFile { get; set; } = "data/callback-secret";
}

/// <summary>Limits of one batch upload (<c>Orchestrator:Batches</c>).</summary>
public sealed class BatchOptions
{
    /// <summary>Most lines (blank ones not counted) one upload may hold; a longer one is refused whole (413) and nothing of it runs.</summary>
    public int MaxLines { get; set; } = 100_000;

    /// <summary>Rejected lines listed in an upload's answer, the first ones; <c>rejectedCount</c> counts them all.</summary>
    public int MaxListedRejections { get; set; } = 100;
}
