namespace Orchestrator.Webhooks;

/// <summary>Signed webhook deliveries, bound from <c>Orchestrator:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary>Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about a day and a half.</summary>
    public static readonly IReadOnlyList<double> DefaultRetryScheduleSeconds = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];

    /// <summary>
    /// Allow webhook targets on loopback, private, link-local and other internal addresses (off: a webhook URL must not
    /// reach into the network the orchestrator runs in). Tests and single-machine setups turn it on.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>
    /// Allow webhook targets on loopback (<c>localhost</c>, 127.0.0.0/8, <c>::1</c>) while other internal addresses stay
    /// refused. Null (the default) leaves it to the host: the server turns it on when every URL it listens on is a
    /// loopback address — only its own machine can call it then, so a loopback target reaches nothing a caller could not
    /// reach already — and off when it listens beyond loopback. A host embedding the library that leaves it null gets off.
    /// </summary>
    public bool? AllowLoopbackTargets { get; set; }

    /// <summary>
    /// Delay before each attempt, seconds: the first entry is the first attempt (normally 0), entry <c>n</c> the wait after
    /// attempt <c>n</c> failed. Null uses <see cref="DefaultRetryScheduleSeconds"/>. (Null by default because configuration
    /// binding appends to a list that already has items.)
    /// </summary>
    public List<double>? RetryScheduleSeconds { get; set; }

    /// <summary>The schedule in force: <see cref="RetryScheduleSeconds"/> when given, else the default.</summary>
    public IReadOnlyList<double> EffectiveRetrySchedule => RetryScheduleSeconds is { Count: > 0 } s ? s : DefaultRetryScheduleSeconds;

    /// <summary>Relative jitter of each retry delay (0.1 = ±10%), so retries to one receiver do not arrive in lockstep.</summary>
    public double Jitter { get; set; } = 0.1;

    /// <summary>Request timeout of one delivery attempt, seconds.</summary>
    public double TimeoutSeconds { get; set; } = 15;

    /// <summary>Attempts in flight at once to one registered endpoint.</summary>
    public int MaxInFlightPerEndpoint { get; set; } = 8;

    /// <summary>Most endpoints one tenant may register; past it a registration is refused (409) and nothing is stored.</summary>
    public int MaxEndpointsPerTenant { get; set; } = 100;

    /// <summary>Attempts in flight at once to per-task <c>webhookUrl</c>s, all tasks together.</summary>
    public int MaxInFlightTaskWebhooks { get; set; } = 64;

    /// <summary>
    /// <c>whsec_…</c> secret that signs deliveries to per-task <c>webhookUrl</c>s. When unset one is generated on first
    /// start and kept in the journal; <c>GET /v1/webhooks/task-secret</c> shows the one in force.
    /// </summary>
    public string? TaskWebhookSecret { get; set; }

    /// <summary>Each endpoint's delivery record is snapshotted after this many journal events, so its recovery stays short.</summary>
    public int SnapshotEveryEvents { get; set; } = 500;

    /// <summary>Configuration problems, each naming its key; empty when the options are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        const string key = "Orchestrator:Webhooks:";
        var problems = new List<string>();
        var schedule = EffectiveRetrySchedule;
        if (schedule.Any(s => s < 0 || double.IsNaN(s) || double.IsInfinity(s)))
            problems.Add($"{key}RetryScheduleSeconds: every delay is a finite number of seconds ≥ 0.");
        if (Jitter is < 0 or >= 1 || double.IsNaN(Jitter)) problems.Add($"{key}Jitter: between 0 (inclusive) and 1 (exclusive).");
        if (TimeoutSeconds is <= 0 || double.IsNaN(TimeoutSeconds)) problems.Add($"{key}TimeoutSeconds: greater than 0.");
        if (MaxInFlightPerEndpoint < 1) problems.Add($"{key}MaxInFlightPerEndpoint: at least 1.");
        if (MaxInFlightTaskWebhooks < 1) problems.Add($"{key}MaxInFlightTaskWebhooks: at least 1.");
        if (MaxEndpointsPerTenant < 1) problems.Add($"{key}MaxEndpointsPerTenant: at least 1.");
        if (SnapshotEveryEvents < 1) problems.Add($"{key}SnapshotEveryEvents: at least 1.");
        // Never echo the value: it is a secret.
        if (TaskWebhookSecret is { Length: > 0 } s && !WebhookSignature.TryParseSecret(s, out _))
            problems.Add($"{key}TaskWebhookSecret: whsec_ followed by the base64 of {WebhookSignature.MinKeyBytes} to {WebhookSignature.MaxKeyBytes} bytes.");
        return problems;
    }
}
