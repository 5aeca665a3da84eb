using Akka.Actor;
using Orchestrator.Hosting;

namespace Orchestrator.Batches;

/// <summary>What every batch actor shares: the task supervisor, the catalog, the throttle router, options and clock.</summary>
public sealed class BatchRuntime(OrchestratorOptions options, TimeProvider clock, IActorRef supervisor, IActorRef catalog, IActorRef throttles)
{
    public OrchestratorOptions Options { get; } = options;
    public IActorRef Supervisor { get; } = supervisor;
    public IActorRef Catalog { get; } = catalog;
    public IActorRef Throttles { get; } = throttles;
    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>
    /// How many of an account's tasks may wait for a submit permit before a batch holds back the next: about two
    /// seconds of the account's rate (at least 16), so the account never idles and a batch never floods memory.
    /// </summary>
    public int WindowFor(string account) =>
        Math.Max(16, (int)Math.Ceiling(2 * (Options.Providers.GetValueOrDefault(account)?.Qps ?? 10)));
}
