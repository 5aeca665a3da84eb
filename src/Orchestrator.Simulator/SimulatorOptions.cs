namespace Orchestrator.Simulator;

/// <summary>
/// How the simulated provider accounts behave. Bound from the <c>Simulator</c> configuration section.
/// The top-level fields are every account's behaviour unless the account overrides them, and are read on
/// every call, so tests may change them at runtime.
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>The bearer key of the default DMXAPI account; any other key gets Kling's auth error (401, code 1000).</summary>
    public string ApiKey { get; set; } = "sim-key";

    public double ImageMinSeconds { get; set; } = 2;
    public double ImageMaxSeconds { get; set; } = 6;
    public double VideoMinSeconds { get; set; } = 5;
    public double VideoMaxSeconds { get; set; } = 15;

    /// <summary>Share of a task's duration it spends queued (<c>submitted</c>, <c>Queued</c>) before running.</summary>
    public double QueuedFraction { get; set; } = 0.2;

    /// <summary>Share of tasks that end failed with a reason (answered with success codes, as the providers do).</summary>
    public double FailureRate { get; set; }

    /// <summary>Share of calls answered with the provider's internal error (Kling HTTP 500 code 5000, Chanjing 50000).</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>Share of calls never answered until the client gives up; nothing is created.</summary>
    public double TimeoutRate { get; set; }

    /// <summary>Share of calls answered with an HTML page instead of JSON.</summary>
    public double MalformedRate { get; set; }

    /// <summary>Share of calls whose connection is dropped unanswered (<see cref="SimulatedFault.ConnectionReset"/>: a create is carried out first).</summary>
    public double ResetRate { get; set; }

    /// <summary>Calls per rolling second an account accepts (Kling: HTTP 429 code 1302 over it, Chanjing: 40001). 0 = no limit.</summary>
    public double QpsLimit { get; set; }

    /// <summary>Slots a Kling-protocol account may hold at once (an image task holds <c>n</c>, a video 1); over it HTTP 429 code 1303. 0 = no limit.</summary>
    public int ConcurrencyLimit { get; set; }

    /// <summary>
    /// Size in bytes of every result file served: the sample padded with zeros to this length, for oversize tests.
    /// 0 (or less than the sample) serves the sample as is.
    /// </summary>
    public long ResultFileBytes { get; set; }

    /// <summary>
    /// When set, every download from the files area answers <c>302 Found</c> with this <c>Location</c> (read live): a
    /// provider, or its CDN, sending a downloader somewhere else. A request for the location itself is served.
    /// </summary>
    public string? ResultRedirect { get; set; }

    /// <summary>Serve result files without a Content-Length (chunked), as some CDNs do, so a client learns the size only by reading.</summary>
    public bool ResultFilesChunked { get; set; }

    /// <summary>
    /// A SQLite connection string (e.g. <c>Data Source=data/simulator.db</c>) where the simulator keeps its tasks, so that
    /// they outlive a restart as a real provider's do; null keeps them in memory only. The server's in-process simulator
    /// uses the journal's SQLite database unless this is set (with a PostgreSQL journal, <c>simulator.db</c> beside the
    /// result folder). Read once, at construction.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Seed for durations and failures, for repeatable runs.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// The simulated accounts. Empty means the three defaults: <c>dmxapi</c> (key <see cref="ApiKey"/>),
    /// <c>kling</c> (sim-ak / sim-sk) and <c>chanjing</c> (sim-app / sim-secret). Read once, at construction.
    /// </summary>
    public List<SimulatedAccountOptions> Accounts { get; set; } = [];
}
