using Akka.Actor;
using Orchestrator.Hosting;
using Orchestrator.ReadModel;

namespace Orchestrator.Batches;

/// <summary>What every batch actor shares: the task supervisor, the read model, the throttle router, options and clock.</summary>
internal sealed class BatchRuntime(OrchestratorOptions options, TimeProvider clock, IActorRef supervisor, TaskReadModel reads, IActorRef throttles,
    BatchRegistry? registry = null)
{
    public OrchestratorOptions Options { get; } = options;
    public IActorRef Supervisor { get; } = supervisor;
    public TaskReadModel Reads { get; } = reads;
    /// <summary>Which batches exist and which still have work (the read model's batch rows).</summary>
    public BatchRegistry Registry { get; } = registry ?? new BatchRegistry(reads.Database);
    public IActorRef Throttles { get; } = throttles;
    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>How long a task handed over may take to answer that it is accepted before it is handed over again.</summary>
    public TimeSpan AcceptanceWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most tasks a batch keeps between hand-over and permit, whatever the account's rate: about two seconds of what
    /// the journal writes for whole tasks (SQLite here: ~400 tasks/s at 2 writes a batch line). Above it a fast
    /// account's tasks pile up in the journal's queue instead until writes wait past the journal's 10 s call timeout:
    /// seen at 4,000 (2 s of a 2,000 QPS account).
    /// </summary>
    public const int MaxWindow = 1000;

    /// <summary>
    /// How many of an account's tasks may wait for a submit permit before a batch holds back the next: about two
    /// seconds of the account's rate (at least 16, at most <see cref="MaxWindow"/>), so the account never idles and a
    /// batch never floods memory or the journal.
    /// </summary>
    public int WindowFor(string account) =>
        Math.Clamp((int)Math.Ceiling(2 * (Options.Providers.GetValueOrDefault(account)?.Qps ?? 10)), 16, MaxWindow);
}
