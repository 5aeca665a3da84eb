namespace Orchestrator.Simulator;

/// <summary>The protocols an account can speak (docs/providers.md).</summary>
public static class SimulatedProtocols
{
    /// <summary>Kling through the DMXAPI relay: <c>/kling/v1/…</c>, a static bearer key.</summary>
    public const string Dmxapi = "dmxapi";

    /// <summary>Kling's official API: <c>/v1/…</c>, an HS256 JWT signed with the account's secret key.</summary>
    public const string Kling = "kling";

    /// <summary>Chanjing: <c>/open/v1/…</c>, an <c>access_token</c> header from the token endpoint.</summary>
    public const string Chanjing = "chanjing";
}

/// <summary>
/// One simulated provider account: its credentials and, optionally, behaviour of its own. A null override
/// means the top-level <see cref="SimulatorOptions"/> value, read live.
/// </summary>
public sealed class SimulatedAccountOptions
{
    /// <summary>The name stats and faults are addressed by (<c>/_sim/stats/{name}</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary><see cref="SimulatedProtocols"/>: <c>dmxapi</c>, <c>kling</c> or <c>chanjing</c>.</summary>
    public string Protocol { get; set; } = SimulatedProtocols.Dmxapi;

    /// <summary>DMXAPI bearer key; null means <see cref="SimulatorOptions.ApiKey"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Kling access key (the JWT's <c>iss</c>).</summary>
    public string? AccessKey { get; set; }

    /// <summary>Kling: the JWT signing key. Chanjing: the <c>secret_key</c> the token endpoint checks.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Chanjing <c>app_id</c>.</summary>
    public string? AppId { get; set; }

    public double? ImageMinSeconds { get; set; }
    public double? ImageMaxSeconds { get; set; }
    public double? VideoMinSeconds { get; set; }
    public double? VideoMaxSeconds { get; set; }
    public double? QueuedFraction { get; set; }
    public double? FailureRate { get; set; }
    public double? ServerErrorRate { get; set; }
    public double? TimeoutRate { get; set; }
    public double? MalformedRate { get; set; }
    public double? ResetRate { get; set; }
    public double? QpsLimit { get; set; }
    public int? ConcurrencyLimit { get; set; }

    /// <summary>The accounts a simulator has when none are configured.</summary>
    public static List<SimulatedAccountOptions> Defaults() =>
    [
        new() { Name = "dmxapi", Protocol = SimulatedProtocols.Dmxapi },
        new() { Name = "kling", Protocol = SimulatedProtocols.Kling, AccessKey = "sim-ak", SecretKey = "sim-sk" },
        new() { Name = "chanjing", Protocol = SimulatedProtocols.Chanjing, AppId = "sim-app", SecretKey = "sim-secret" },
    ];
}
