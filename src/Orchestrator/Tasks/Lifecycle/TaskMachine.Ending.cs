using Orchestrator.ResultFiles;
using static Orchestrator.Tasks.Lifecycle.TaskEffect;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>How a task ends: its results stored first, then the terminal event, then quiet watching if the provider task runs on.</summary>
internal static partial class TaskMachine
{
    /// <summary>A task is succeeded only once its files are in our store: the provider's URLs expire.</summary>
    private static void OnResultsStored(TaskStep d, TaskInput.ResultsStored done)
    {
        d.Memory = d.Memory with { Waiting = Waiting.Nothing, StoringResults = false };
        if (d.State.IsTerminal)
        {
            // Cancelled meanwhile: the user's word stands, and the files it stored belong to nobody.
            if (done.Outcome is RehostOutcome.Stored) d.Do(new DiscardResults());
            StopWatching(d);
            return;
        }
        var s = done.Succeeded;
        if (done.Outcome is RehostOutcome.Stored stored)
        {
            var files = stored.Files.ToDictionary(f => f.Index);
            var results = s.Results.Select(r => files.TryGetValue(r.Index, out var f)
                ? r with { StoredUrl = d.Env.StoredUrl(r.Index), Sha256 = f.Sha256, Bytes = f.Bytes, ContentType = f.ContentType }
                : r).ToList();
            End(d, s with { Results = results, At = d.Env.Now });
        }
        else
        {
            var error = ((RehostOutcome.Failed)done.Outcome).Error;
            d.Do(new Warn($"Task {d.TaskId}: its results could not be stored ({error.Code}): {error.Message}"));
            End(d, new TaskFailed(d.TaskId, error, d.State.SubmitAttempts, d.State.Polls, d.Env.Now));
        }
    }

    /// <summary>Writes the terminal event; <paramref name="reply"/> answers a cancel once it is durable.</summary>
    private static void End(TaskStep d, ITaskEvent terminal, bool reply = false)
    {
        var callInFlight = d.Memory.Waiting == Waiting.Call;
        // Results being stored means the provider task has ended: nothing runs on that needs watching.
        var providerRunsOn = !d.Memory.StoringResults && (d.State.ProviderTaskId is not null || callInFlight);
        d.Do(new CancelAllTimers());
        if (!callInFlight) d.Memory = d.Memory with { Waiting = Waiting.Nothing };
        d.Persist(terminal);
        if (reply) d.Do(new Reply(new CancelReply(d.View(), true)));
        d.Do(new Ended(d.State.Status));
        if (terminal is TaskCancelled or TaskTimedOut && providerRunsOn) WatchQuietly(d);
        else if (!d.Memory.StoringResults) StopWatching(d);
    }

    /// <summary>Providers have no cancel call: the provider task runs on and holds its slot until it ends.</summary>
    private static void WatchQuietly(TaskStep d)
    {
        d.Memory = d.Memory with { WatchQuietlyUntil = d.Env.Now + d.Env.Limits.QuietWatch };
        if (d.Memory.Waiting == Waiting.Nothing && d.State.ProviderTaskId is not null) SchedulePoll(d, d.Env.Limits.QuietInterval, publish: false);
    }

    private static void StopWatching(TaskStep d)
    {
        if (d.Memory.WatchingQuietly) d.Do(new ReleaseSlots());
        d.Memory = d.Memory with { WatchQuietlyUntil = null, Waiting = Waiting.Nothing };
        d.Do(new CancelProgressTimer());
        // Stay a little for reads that follow the end, then free the memory.
        d.Do(new IdleTimeout(d.Env.Limits.PassivateAfter));
    }
}
