using Akka.Actor;
using Orchestrator.Callbacks;
using Orchestrator.Hosting;
using Orchestrator.Polling;
using Orchestrator.Providers;

namespace Orchestrator.Tasks;

/// <summary>What every task actor shares: configuration, provider clients, the clock, the throttle router, learned poll plans and callback tokens.</summary>
public sealed class TaskRuntime(OrchestratorOptions options, ProviderDirectory providers, TimeProvider clock, IActorRef throttles,
    PollLearning? learning = null, CallbackTokens? callbacks = null)
{
    public OrchestratorOptions Options { get; } = options;
    public ProviderDirectory Providers { get; } = providers;
    public TimeProvider Clock { get; } = clock;
    public IActorRef Throttles { get; } = throttles;
    public PollLearning Learning { get; } = learning ?? new PollLearning(options, clock);
    public CallbackTokens Callbacks { get; } = callbacks ?? new CallbackTokens(options);
    public DateTimeOffset Now => Clock.GetUtcNow();

    public TimeSpan DeadlineFor(GenerationRequest r) => TimeSpan.FromSeconds(
        r.DeadlineSeconds ?? (r.IsVideo ? Options.Tasks.VideoDeadlineSeconds : Options.Tasks.ImageDeadlineSeconds));
}
