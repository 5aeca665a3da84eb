using Orchestrator.Polling;
using Orchestrator.Providers;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>The task actor's view of the world for its decisions: the runtime's clock, options, providers and learning.</summary>
internal sealed class TaskActorEnvironment(TaskRuntime rt, string taskId) : ITaskEnvironment
{
    private PollPlan? _plan;

    public DateTimeOffset Now => rt.Now;
    public double NextRandom() => Random.Shared.NextDouble();
    public double PlanScale { get; } = PollSchedule.Scale(rt.Options.Polling.Jitter, Random.Shared.NextDouble());
    public TaskLimits Limits => rt.Limits;

    public ProviderCapabilities? Capabilities(string account) =>
        rt.Providers.Find(account) is { Enabled: true } ? rt.Providers.ClientFor(account).Capabilities : null;

    public int SlotCost(GenerationRequest request) => TaskDecider.SlotCost(request, rt.Providers.Find(request.Provider)?.Options);

    public PollPlan Plan(GenerationRequest request) =>
        _plan ??= rt.Callbacks.Enabled ? rt.Learning.SafetyNetFor(request) : rt.Learning.PlanFor(request);

    public TimeSpan Deadline(GenerationRequest request) => rt.DeadlineFor(request);

    public string StoredUrl(int index) => rt.StoredUrl(taskId, index);
}
