namespace Orchestrator.Tasks;

/// <summary>Set once the read model has caught up with the journal and interrupted tasks are being resumed; <c>/healthz</c> answers 200 after it.</summary>
internal sealed class OrchestratorReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public bool IsReady => _ready.Task.IsCompleted;
    public Task WhenReady => _ready.Task;
    public void MarkReady() => _ready.TrySetResult();
}
