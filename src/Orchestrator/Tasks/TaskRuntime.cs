using Akka.Actor;
using Orchestrator.Hosting;
using Orchestrator.Providers;

namespace Orchestrator.Tasks;

/// <summary>What every task actor shares: configuration, provider clients, the clock and the throttle router.</summary>
public sealed class TaskRuntime(OrchestratorOptions options, ProviderDirectory providers, TimeProvider clock, IActorRef throttles)
{
    public OrchestratorOptions Options { get; } = options;
    public ProviderDirectory Providers { get; } = providers;
    public TimeProvider Clock { get; } = clock;
    public IActorRef Throttles { get; } = throttles;
    public DateTimeOffset Now => Clock.GetUtcNow();

    public TimeSpan DeadlineFor(GenerationRequest r) => TimeSpan.FromSeconds(
        r.DeadlineSeconds ?? (r.IsVideo ? Options.Tasks.VideoDeadlineSeconds : Options.Tasks.ImageDeadlineSeconds));
}
