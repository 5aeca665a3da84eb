using static Orchestrator.Tasks.Lifecycle.TaskEffect;

namespace Orchestrator.Tasks.Lifecycle;

/// <summary>
/// Passivation: an ended task leaves memory once idle, and a task whose next poll is a long wait away sleeps through it
/// (its actor stops; its supervisor keeps a <see cref="TaskResume"/> and wakes it), so memory follows the work being
/// done, not the work waiting. The handshake is Akka.Cluster.Sharding's: the task offers, the supervisor holds its
/// messages and says "now", and the task, having seen every message sent before, stops or declines.
/// </summary>
internal static partial class TaskMachine
{
    private static void OfferSleep(TaskStep d, TimeSpan wait)
    {
        if (wait >= d.Env.Limits.SleepAfter && CanSleep(d)) d.Do(new PassivateSelf());
    }

    private static void OnPassivateNow(TaskStep d)
    {
        var s = d.State;
        if (!s.Exists || (!d.Memory.Active && !d.Memory.StoringResults)) { d.Do(new Passivated(null)); return; }
        if (!CanSleep(d) || s.NextPollAt is not { } pollAt || pollAt - d.Env.Now < d.Env.Limits.SleepAfter / 2)
        {
            d.Do(new DeclinePassivation());
            return;
        }
        var deadline = s.CreatedAt + d.Env.Deadline(s.Request!);
        d.Do(new CancelAllTimers());
        d.Memory = d.Memory with { Waiting = Waiting.Nothing };
        d.Do(new Passivated(new TaskResume(pollAt < deadline ? pollAt : deadline, pollAt, s.Status, s.Polls,
            d.Memory.ConsecutiveFailures, s.NotFoundAnswers, s.NotFoundSince)));
    }

    /// <summary>
    /// Only a plain wait for a poll of a task the provider runs: nothing in flight, nothing owed (a lookup, a callback
    /// to verify, results to store), nothing that lives only in memory beyond what <see cref="TaskResume"/> carries.
    /// </summary>
    private static bool CanSleep(TaskStep d)
    {
        var m = d.Memory;
        return m.State is { Exists: true, IsTerminal: false, ProviderTaskId: not null, NextPollAt: not null }
            && m is { Waiting: Waiting.Timer, VerifyAfterCall: false, StoringResults: false, LookupBeforeSubmit: false, WaitingFor: null };
    }

    /// <summary>
    /// After a restart, a task read back from the journal (<see cref="JournaledTaskStates"/>) that only waits for the
    /// provider goes straight to sleep in its supervisor, with no actor until its poll is due. The poll is placed at random
    /// within its plan's first interval, and not before its turn among the resumed tasks (<paramref name="turnOf"/>, asked
    /// with its account: <see cref="ResumedPollTurns"/>), so that a crowd of resumed tasks does not poll at once. Null: it
    /// has more to do than wait (a submit or a lookup, concurrency slots to hold, an account to look for), and starts as an
    /// actor, whose recovery decides as after any replay.
    /// </summary>
    internal static TaskResume? SleepAfterRestart(TaskState s, ITaskEnvironment env, Func<string, DateTimeOffset> turnOf)
    {
        if (s is not { Exists: true, IsTerminal: false, ProviderTaskId: not null, Request: { } request }) return null;
        if (env.Capabilities(request.Provider) is null || env.SlotCost(request) > 0) return null;
        var spread = env.Now + TimeSpan.FromSeconds(env.Plan(request).ElapsedAt(0) * env.NextRandom());
        var turn = turnOf(request.Provider);
        var pollAt = turn > spread ? turn : spread;
        var deadline = s.CreatedAt + env.Deadline(request);
        return new TaskResume(pollAt < deadline ? pollAt : deadline, pollAt, s.Status, s.Polls, 0, s.NotFoundAnswers, s.NotFoundSince);
    }

    /// <summary>Woken from a sleep: the journal gave back the task, the resume gives back where its polling was.</summary>
    private static void Resume(TaskStep d, TaskResume r)
    {
        d.State = d.State with
        {
            Status = r.Status == TaskLifecycle.Processing ? TaskLifecycle.Processing : d.State.Status,
            Polls = r.Polls,
            NotFoundAnswers = r.NotFoundAnswers,
            NotFoundSince = r.NotFoundSince,
        };
        d.Memory = d.Memory with { ConsecutiveFailures = r.ConsecutiveFailures };
        var left = r.PollAt - d.Env.Now;
        SchedulePoll(d, left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }
}
