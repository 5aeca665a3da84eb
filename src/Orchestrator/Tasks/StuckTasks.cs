using Akka.Actor;
using Orchestrator.Hosting;

namespace Orchestrator.Tasks;

/// <summary>
/// Asks the <see cref="TaskSupervisor"/> for the tasks that break the progress invariant (<see cref="StuckTaskReport"/>).
/// It answers for tasks asleep through a long wait itself, so the check wakes none of them.
/// </summary>
internal sealed record ListStuck(TimeSpan AnswerWithin);

/// <summary>The progress invariant, checked on what a task actor says it waits on.</summary>
internal static class StuckTasks
{
    public const string NothingPending = "nothing pending";
    public const string MoreThanOnePending = "more than one pending";
    public const string NoAnswer = "no answer";

    /// <summary>
    /// Null when the task is fine: ended, waiting for its account to be configured again (by design it spends nothing
    /// then; its deadline still ends it), or waiting on exactly one thing. <paramref name="progress"/> null: it did not answer.
    /// </summary>
    public static StuckTask? Classify(string taskId, TaskProgress? progress)
    {
        if (progress is null) return new StuckTask(taskId, null, false, false, false, NoAnswer);
        if (progress.Status.IsTerminal() || progress.WaitingForAccount) return null;
        var pending = (progress.TimerPending ? 1 : 0) + (progress.AwaitingPermit ? 1 : 0) + (progress.CallInFlight ? 1 : 0);
        if (pending == 1) return null;
        return new StuckTask(taskId, progress.Status, progress.TimerPending, progress.AwaitingPermit, progress.CallInFlight,
            pending == 0 ? NothingPending : MoreThanOnePending);
    }

    /// <summary>
    /// Asks each live task what it waits on (straight to the actor: a sleeping one is not among them and stays asleep)
    /// and classifies the answers. One that does not answer within <paramref name="within"/> is asked once more, for
    /// three times as long, and listed as <see cref="NoAnswer"/> only if it is silent again: an actor still reading its
    /// journal (a restart resuming thousands of tasks on a busy machine) answers only once recovered, and is not stuck.
    /// </summary>
    public static async Task<StuckTaskReport> CheckAsync(IReadOnlyList<(string Id, IActorRef Actor)> live, int asleep, TimeSpan within)
    {
        var first = await Task.WhenAll(live.Select(t => AskAsync(t, within)));
        var silent = live.Where((_, i) => first[i] is null).ToList();
        var second = await Task.WhenAll(silent.Select(t => AskAsync(t, within * 3)));
        var answered = live.Select((t, i) => Answered(t.Id, first[i])).Where((_, i) => first[i] is not null);
        var askedTwice = silent.Select((t, i) => Answered(t.Id, second[i]));
        return new StuckTaskReport(live.Count + asleep, answered.Concat(askedTwice).OfType<StuckTask>()
            .OrderBy(s => s.TaskId, StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// Cluster mode: the tasks the read model lists as unfinished, each asked through the <c>tasks</c> shard region on
    /// whichever node it lives (the region keeps no list of its entities to check, and a node's own shards are only part
    /// of the cluster's tasks). A task accepted but not yet projected is not among them.
    /// </summary>
    public static Task<StuckTaskReport> CheckThroughRegionAsync(IReadOnlyList<string> unfinished, int asleep, IActorRef region, TimeSpan within) =>
        CheckAsync(unfinished.Select(id => (id, region)).ToList(), asleep, within);

    // Anything but progress (the task is gone: retention removed it since the list was read) is not a stuck task.
    private static StuckTask? Answered(string taskId, object? answer) =>
        answer is null or TaskProgress ? Classify(taskId, answer as TaskProgress) : null;

    private static async Task<object?> AskAsync((string Id, IActorRef Actor) task, TimeSpan within)
    {
        try { return await task.Actor.Ask<object>(new GetTaskProgress(task.Id), within); }
        catch (AskTimeoutException) { return null; }
    }
}
