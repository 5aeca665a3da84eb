namespace Orchestrator.Server.Relay;

/// <summary>
/// <c>Orchestrator:Relay</c>: the drop-in relay that serves the providers' own task APIs (docs/relay.md). Each style's
/// requests become ordinary tasks on the account its <c>Account</c> names.
/// </summary>
public sealed class RelayOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Orchestrator:Relay";

    /// <summary>Set false to leave the provider-compatible routes unmapped.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>DMXAPI style (<c>/kling/v1/…</c>, a bearer key).</summary>
    public RelayRouteOptions Dmxapi { get; set; } = new();

    /// <summary>Kling official style (<c>/v1/images/…</c>, <c>/v1/videos/…</c>, an HS256 JWT).</summary>
    public RelayRouteOptions Kling { get; set; } = new();

    /// <summary>Chanjing style (<c>/open/v1/…</c>, access tokens).</summary>
    public RelayRouteOptions Chanjing { get; set; } = new();

    /// <summary>
    /// Opt-in long poll: a query for an unfinished task is held until the task ends or this many seconds pass, then
    /// answered. 0 (the default) answers at once. Scripts that poll every second then cost about one query per task.
    /// </summary>
    public double HoldQuerySeconds { get; set; }

    /// <summary>An optional limit per tenant on what its relay clients start (<see cref="RelayQuotaOptions"/>); none by default.</summary>
    public RelayQuotaOptions Quota { get; set; } = new();

    /// <summary>The most a query is held, whatever is configured: beyond it proxies and clients give up on the connection.</summary>
    public const double MaxHoldQuerySeconds = 600;

    /// <summary>What is wrong with these options, each naming its setting.</summary>
    public IEnumerable<string> Problems()
    {
        if (double.IsNaN(HoldQuerySeconds) || HoldQuerySeconds is < 0 or > MaxHoldQuerySeconds)
            yield return $"{SectionName}:HoldQuerySeconds must be between 0 and {MaxHoldQuerySeconds}.";
        foreach (var problem in Quota.Problems(SectionName + ":Quota")) yield return problem;
        foreach (var (style, route) in new[] { ("Dmxapi", Dmxapi), ("Kling", Kling), ("Chanjing", Chanjing) })
            if (string.IsNullOrWhiteSpace(route.Account)) yield return $"{SectionName}:{style}:Account must name a provider account.";
    }
}

/// <summary>One compatible style's routing.</summary>
public sealed class RelayRouteOptions
{
    /// <summary>The provider account its tasks run on (any type; the simulator by default).</summary>
    public string Account { get; set; } = "simulator";
}

/// <summary>The provider API a relay route speaks; also the task's <c>metadata.relay</c>.</summary>
public enum RelayStyle
{
    /// <summary>Kling through DMXAPI: <c>/kling/v1/…</c>, <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    Dmxapi,
    /// <summary>Kling's official API: <c>/v1/…</c>, an HS256 JWT.</summary>
    Kling,
    /// <summary>Chanjing's open API: <c>/open/v1/…</c>, an <c>access_token</c> header.</summary>
    Chanjing,
}
