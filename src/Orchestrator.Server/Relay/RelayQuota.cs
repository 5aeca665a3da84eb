namespace Orchestrator.Server.Relay;

/// <summary>
/// <c>Orchestrator:Relay:Quota</c>: an optional limit per tenant on what its relay clients may start, answered in each
/// style's own limit codes (Kling and DMXAPI 429 with 1302 for the rate, 1303 for unfinished tasks; Chanjing 40001).
/// The upstream's own limits are never passed on (the account's throttle absorbs them): these are the operator's.
/// </summary>
public sealed class RelayQuotaOptions
{
    /// <summary>Creates per second one tenant may make through the relay, every style together; 0 (the default) = no limit.</summary>
    public double SubmitsPerSecond { get; set; }

    /// <summary>Creates a tenant may make at once after a quiet spell; 0 = <see cref="SubmitsPerSecond"/> rounded up (at least 1).</summary>
    public int Burst { get; set; }

    /// <summary>Unfinished relay tasks one tenant may have at once; 0 (the default) = no limit.</summary>
    public int MaxUnfinished { get; set; }

    /// <summary>Whether any limit is set.</summary>
    public bool IsSet => SubmitsPerSecond > 0 || MaxUnfinished > 0;

    internal double EffectiveBurst => Burst > 0 ? Burst : Math.Max(1, Math.Ceiling(SubmitsPerSecond));

    /// <summary>What is wrong with these options, each naming its setting.</summary>
    public IEnumerable<string> Problems(string section)
    {
        if (double.IsNaN(SubmitsPerSecond) || double.IsInfinity(SubmitsPerSecond) || SubmitsPerSecond < 0)
            yield return $"{section}:SubmitsPerSecond must be 0 (no limit) or more.";
        if (Burst < 0) yield return $"{section}:Burst must be 0 (the rate, rounded up) or more.";
        if (MaxUnfinished < 0) yield return $"{section}:MaxUnfinished must be 0 (no limit) or more.";
    }
}

/// <summary>
/// The relay quota's counts, per tenant: a token bucket of creates, and the unfinished relay tasks created since the
/// server started (a task still running across a restart is not counted). Thread-safe; decisions only, no I/O.
/// </summary>
public sealed class RelayQuota(RelayQuotaOptions options, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (double Tokens, long At)> _buckets = [];
    private readonly Dictionary<string, int> _unfinished = [];

    /// <summary>Whether a limit is configured at all (else every call here is a no-op).</summary>
    public bool IsSet => options.IsSet;

    /// <summary>
    /// Takes one create of <paramref name="tenant"/>'s: null when allowed (and, with <c>MaxUnfinished</c>, a place held
    /// until <see cref="Release"/>), else which limit refused it. A refused create uses up nothing.
    /// </summary>
    public RelayRefusal? TryTake(string tenant)
    {
        if (!options.IsSet) return null;
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            var tokens = 0.0;
            if (options.SubmitsPerSecond > 0)
            {
                var burst = options.EffectiveBurst;
                var (left, at) = _buckets.TryGetValue(tenant, out var b) ? b : (burst, now);
                tokens = Math.Min(burst, left + clock.GetElapsedTime(at, now).TotalSeconds * options.SubmitsPerSecond);
                _buckets[tenant] = (tokens, now);
                if (tokens < 1) return new(RelayRefusalKind.RateLimited, $"rate limit exceeded: at most {options.SubmitsPerSecond:0.###} creates per second");
            }
            var held = _unfinished.GetValueOrDefault(tenant);
            if (options.MaxUnfinished > 0 && held >= options.MaxUnfinished)
                return new(RelayRefusalKind.TooManyUnfinished, $"parallel task limit exceeded: at most {options.MaxUnfinished} unfinished tasks");
            if (options.SubmitsPerSecond > 0) _buckets[tenant] = (tokens - 1, now);
            if (options.MaxUnfinished > 0) _unfinished[tenant] = held + 1;
            return null;
        }
    }

    /// <summary>A place taken by <see cref="TryTake"/> is free again: its task ended, or no new task was made.</summary>
    public void Release(string tenant)
    {
        if (options.MaxUnfinished <= 0) return;
        lock (_gate)
        {
            var held = _unfinished.GetValueOrDefault(tenant) - 1;
            if (held > 0) _unfinished[tenant] = held;
            else _unfinished.Remove(tenant);
        }
    }

    /// <summary>Unfinished relay tasks counted for <paramref name="tenant"/>.</summary>
    public int Unfinished(string tenant)
    {
        lock (_gate) return _unfinished.GetValueOrDefault(tenant);
    }
}
