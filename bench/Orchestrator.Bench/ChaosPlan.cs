using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>A stretch of a chaos run when one account (or every one) answers every call with one fault: a provider down, a rate-limit storm.</summary>
/// <param name="AtSeconds">When it starts, seconds after the batch was accepted.</param>
/// <param name="Account">The simulator account, or null for all of them.</param>
public sealed record ChaosOutage(double AtSeconds, SimulatedFault Fault, double Seconds, string? Account = null);

/// <summary>
/// One chaos run (issue 21): a batch of image tasks spread over a Kling, a DMXAPI and a Chanjing account of a simulator that
/// outlives the server, while the server is killed with SIGKILL and started again on the same SQLite file (<see cref="Kills"/>)
/// and/or the simulator injects faults at the given rates and outages. Every figure is checked from outside: the HTTP API, the
/// simulator's own records, the server's log.
/// </summary>
/// <param name="Kills">SIGKILLs, each when a seeded random share (10–85 %) of the tasks has ended, plus up to 1 s.</param>
/// <param name="Qps">Each account's QPS, on both sides: the server's throttle and the simulator's limit.</param>
/// <param name="RequestTimeoutSeconds">The server's per-call timeout: a hung call costs this much.</param>
/// <param name="FailureRate">Share of tasks the provider ends failed (a right end too: the view must say failed).</param>
/// <param name="PollCapSeconds">The longest wait between polls: failed polls back off up to it, so an outage of more than about 20 caps fails tasks by design.</param>
/// <param name="Timeout">How long the tasks may take to end after the batch was accepted.</param>
public sealed record ChaosPlan(
    string Name,
    int Tasks,
    int Kills = 0,
    int Seed = 21,
    double Qps = 20,
    double RequestTimeoutSeconds = 2,
    double ServerErrorRate = 0,
    double TimeoutRate = 0,
    double MalformedRate = 0,
    double ResetRate = 0,
    double FailureRate = 0.05,
    double ImageMinSeconds = 1,
    double ImageMaxSeconds = 4,
    double PollCapSeconds = 5,
    IReadOnlyList<ChaosOutage>? Outages = null,
    TimeSpan? Timeout = null)
{
    /// <summary>The three accounts and the protocol each speaks (the simulator's default accounts have these names).</summary>
    public static readonly string[] Accounts = ["kling", "dmxapi", "chanjing"];

    /// <summary>The model each account's text-to-image tasks use.</summary>
    public static string Model(string account) => account == "chanjing" ? "kling-v2-1" : "kling-v1-5";

    /// <summary>Line <paramref name="line"/>'s account: the three in turn.</summary>
    public static string AccountOf(int line) => Accounts[(line - 1) % Accounts.Length];

    /// <summary>Each line's prompt is its own, so a Chanjing request sent twice is told from two tasks by its body.</summary>
    public string Prompt(int line) => $"chaos {Name} {Seed} line {line}: a paper crane over a harbour";

    /// <summary>The line a prompt was made for, or null.</summary>
    public int? LineOf(string prompt)
    {
        var marker = $"chaos {Name} {Seed} line ";
        if (!prompt.StartsWith(marker, StringComparison.Ordinal)) return null;
        var end = prompt.IndexOf(':', marker.Length);
        return end > 0 && int.TryParse(prompt.AsSpan(marker.Length, end - marker.Length), out var n) ? n : null;
    }

    /// <summary>
    /// The kinds of fault drawn at random: each account is also dealt one of each outright (<see cref="ChaosRun"/>), so
    /// every kind is met whatever the draws. At 2% malformed answers, Chanjing's 50-task queries leave it about 200 calls
    /// a run, and about 1 run in 70 draws none.
    /// </summary>
    public IEnumerable<SimulatedFault> DrawnFaults()
    {
        if (ServerErrorRate > 0) yield return SimulatedFault.ServerError;
        if (TimeoutRate > 0) yield return SimulatedFault.Timeout;
        if (MalformedRate > 0) yield return SimulatedFault.Malformed;
        if (ResetRate > 0) yield return SimulatedFault.ConnectionReset;
    }

    public SimulatorOptions SimulatorOptions() => new()
    {
        ImageMinSeconds = ImageMinSeconds, ImageMaxSeconds = ImageMaxSeconds, QueuedFraction = 0.2, FailureRate = FailureRate,
        ServerErrorRate = ServerErrorRate, TimeoutRate = TimeoutRate, MalformedRate = MalformedRate, ResetRate = ResetRate,
        QpsLimit = Qps, Seed = Seed,
    };

    /// <summary>The server's accounts against the simulator at <paramref name="simulatorBaseUrl"/>, and a schedule for seconds-long images.</summary>
    public IEnumerable<string> ServerSettings(string simulatorBaseUrl)
    {
        var timeout = RequestTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] credentials =
        [
            "kling:Type=kling", "kling:AccessKey=sim-ak", "kling:SecretKey=sim-sk",
            "dmxapi:Type=dmxapi", "dmxapi:ApiKey=sim-key",
            "chanjing:Type=chanjing", "chanjing:AppId=sim-app", "chanjing:SecretKey=sim-secret",
        ];
        foreach (var c in credentials) yield return "Orchestrator:Providers:" + c;
        foreach (var account in Accounts)
        {
            yield return $"Orchestrator:Providers:{account}:BaseUrl={simulatorBaseUrl}";
            yield return FormattableString.Invariant($"Orchestrator:Providers:{account}:Qps={Qps}");
            yield return $"Orchestrator:Providers:{account}:RequestTimeoutSeconds={timeout}";
        }
        yield return "Orchestrator:Polling:ImagePriorSeconds=1";
        yield return "Orchestrator:Polling:ImageFloorSeconds=0.5";
        yield return FormattableString.Invariant($"Orchestrator:Polling:CapSeconds={PollCapSeconds}");
        yield return "Orchestrator:Tasks:SubmitRetryBaseSeconds=0.5";
        // The run is about tasks ending right, not about copying their files.
        yield return "Orchestrator:Results:Enabled=false";
    }

    public static ChaosPlan KillStorm(int tasks, int kills, int seed = 21) => new("kill-storm", tasks, kills, seed);

    /// <summary>The provider-fault mix of issue 21; <paramref name="stormSeconds"/> and <paramref name="downSeconds"/> set its scale.</summary>
    public static ChaosPlan ProviderFaults(int tasks, double stormSeconds, double downSeconds, int seed = 21) => new("provider-faults", tasks, Seed: seed,
        ServerErrorRate: 0.20, TimeoutRate: 0.05, MalformedRate: 0.02, ResetRate: 0.02,
        Outages:
        [
            new ChaosOutage(2, SimulatedFault.RateLimit, stormSeconds),
            new ChaosOutage(4 + stormSeconds, SimulatedFault.Unavailable, downSeconds, "kling"),
            new ChaosOutage(6 + stormSeconds + downSeconds, SimulatedFault.RateLimit, stormSeconds),
        ]);
}
