using Akka.Actor;
using Akka.Event;
using Orchestrator.ResultFiles;
using Orchestrator.Telemetry;

namespace Orchestrator.Tasks;

/// <summary>How a task ends: storing its results first, then the terminal event, then quiet watching if the provider task runs on.</summary>
public sealed partial class GenerationTask
{
    /// <summary>A task is succeeded only once its files are in our store: the provider's URLs expire.</summary>
    private void StoreResults(TaskSucceeded succeeded)
    {
        _waiting = Waiting.Call;
        _storingResults = true;
        _rt.Results!.RehostAsync(_taskId, succeeded.Results, _stopping.Token)
            .PipeTo(Self, success: o => new ResultsStored(succeeded, o),
                failure: ex => new ResultsStored(succeeded, new RehostOutcome.Failed(new TaskError("result_store_failed", $"The result store failed: {ex.GetType().Name}", true))));
    }

    private void OnResultsStored(ResultsStored done)
    {
        _waiting = Waiting.Nothing;
        _storingResults = false;
        if (_state.IsTerminal) return; // cancelled meanwhile: the user's word stands
        var s = done.Succeeded;
        if (done.Outcome is RehostOutcome.Stored stored)
        {
            var files = stored.Files.ToDictionary(f => f.Index);
            var results = s.Results.Select(r => files.TryGetValue(r.Index, out var f)
                ? r with { StoredUrl = _rt.StoredUrl(_taskId, r.Index), Sha256 = f.Sha256, Bytes = f.Bytes, ContentType = f.ContentType }
                : r).ToList();
            End(s with { Results = results, At = _rt.Now });
        }
        else
        {
            var error = ((RehostOutcome.Failed)done.Outcome).Error;
            _log.Warning("Task {0}: its results could not be stored ({1}): {2}", _taskId, error.Code, error.Message);
            End(new TaskFailed(_taskId, error, _state.SubmitAttempts, _state.Polls, _rt.Now));
        }
    }

    private void End(ITaskEvent terminal, Action? then = null)
    {
        var callInFlight = _waiting == Waiting.Call;
        Timers.CancelAll();
        if (!callInFlight) _waiting = Waiting.Nothing;
        Write(terminal, () =>
        {
            then?.Invoke();
            OrchestratorMetrics.TaskEnded(_state.Status);
            if (terminal is TaskCancelled or TaskTimedOut && (_state.ProviderTaskId is not null || callInFlight)) WatchQuietly();
            else StopWatching();
        });
    }

    private TimeSpan QuietInterval => TimeSpan.FromSeconds(Math.Max(1, _rt.Options.Polling.CapSeconds));

    /// <summary>Providers have no cancel call: the provider task runs on and holds its slot until it ends.</summary>
    private void WatchQuietly()
    {
        _watchingQuietly = true;
        _stopWatchingAt = _rt.Now + TimeSpan.FromSeconds(_rt.Options.Tasks.QuietWatchSeconds);
        if (_waiting == Waiting.Nothing && _state.ProviderTaskId is not null) SchedulePoll(QuietInterval, publish: false);
    }

    private void StopWatching()
    {
        if (_watchingQuietly) ReleaseSlots();
        _watchingQuietly = false;
        _waiting = Waiting.Nothing;
        Timers.Cancel(ProgressTimer);
        // Stay a little for reads that follow the end, then free the memory.
        Context.SetReceiveTimeout(TimeSpan.FromSeconds(_rt.Options.Tasks.PassivateAfterSeconds));
    }
}
