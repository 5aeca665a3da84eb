namespace Orchestrator.Hosting;

/// <summary>How long ended tasks are kept (<c>Orchestrator:Retention</c>).</summary>
public sealed class RetentionOptions
{
    /// <summary>
    /// Days an ended task is kept after its end: then its journal events, its read-model row and its stored result files
    /// are removed, and its id (and idempotency key) is forgotten. 30 by default, the providers' own URL lifetime;
    /// fractions allowed; 0 keeps ended tasks for ever.
    /// </summary>
    public double EndedTaskDays { get; set; } = 30;

    /// <summary>How often the background sweep looks for ended tasks past their time (seconds).</summary>
    public double SweepSeconds { get; set; } = 600;

    /// <summary>How many tasks one sweep step removes in one transaction: small, so journal writes never wait long.</summary>
    public int BatchSize { get; set; } = 500;
}
