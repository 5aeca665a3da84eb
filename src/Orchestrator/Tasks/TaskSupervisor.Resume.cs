using Akka.Actor;
using Akka.Event;
using Orchestrator.Tasks.Lifecycle;

namespace Orchestrator.Tasks;

/// <summary>
/// A restart's unfinished tasks (<see cref="ResumeUnfinished"/>): read back from the journal a few hundred to a query
/// (<see cref="JournaledTaskStates"/>) rather than replayed one actor at a time, and those that only wait for the
/// provider put to sleep here until their first poll (<see cref="TaskMachine.SleepAfterRestart"/>). With 100,000
/// unfinished tasks the per-task replays were most of a restart.
/// </summary>
internal sealed partial class TaskSupervisor
{
    private sealed record ResumesRead(IReadOnlyList<JournaledTaskStates.Recovered> Tasks);
    private sealed record ResumesUnread(Exception Cause);

    /// <summary>
    /// The first polls of resumed tasks are spread so that at most about this many fall due a second on the node (a woken
    /// task starts an actor, asks for a permit and polls): the rate the wakes of a restart ran at before they slept.
    /// </summary>
    internal const int ResumedPollsPerSecond = 2_000;

    /// <summary>Of an account's rate, what resumed tasks' first polls may take (the rest is left for submits and other polls).</summary>
    private const double ResumedShareOfAccountRate = 0.9;

    private readonly Queue<string> _toResume = new();
    // Ids being read: their messages wait in _held until the read is in (then they find the task asleep or started),
    // so that no incarnation writes while an older state of it is on its way here.
    private List<string>? _reading;
    private ResumedPollTurns? _turns;
    private readonly Dictionary<string, double> _accountPollRates = new();
    private int _resumedAsleep;
    private int _resumedAwake;
    private DateTimeOffset _lastResumedPoll;

    private void ReceiveResumes()
    {
        Receive<ResumeUnfinished>(r =>
        {
            if (_toResume.Count == 0 && _reading is null) _turns = new ResumedPollTurns(_runtime.Now, ResumedPollsPerSecond);
            foreach (var id in r.TaskIds) _toResume.Enqueue(id);
            ReadNextResumes();
        });
        Receive<ResumesRead>(r =>
        {
            foreach (var task in r.Tasks)
            {
                var resume = TaskMachine.SleepAfterRestart(task.State, new TaskActorEnvironment(_runtime, task.TaskId),
                    account => _turns!.Next(account, AccountPollRate(account)));
                if (resume is null) continue;
                _sleeping.Add(task.TaskId, resume, task.SequenceNr, task.State);
                if (resume.PollAt > _lastResumedPoll) _lastResumedPoll = resume.PollAt;
            }
            // The rest start as actors and replay their journal: a submit to make, slots to hold, or no events at all.
            foreach (var id in TakeReading()) Resume(id, asleep: _sleeping.Contains(id));
            ArmWakeTimer();
            ReadNextResumes();
        });
        Receive<ResumesUnread>(u =>
        {
            var reading = TakeReading();
            Context.GetLogger().Warning(u.Cause, "Reading {0} unfinished tasks back from the journal failed; each replays its own instead", reading.Count);
            foreach (var id in reading) Resume(id, asleep: false);
            ReadNextResumes();
        });
    }

    // Only a single node has this supervisor, and its runtime always has the reader (TaskHosting).
    private JournaledTaskStates JournalStates =>
        _runtime.JournalStates ?? throw new InvalidOperationException("A single node's task runtime reads unfinished tasks back through JournaledTaskStates.");

    private void ReadNextResumes()
    {
        if (_reading is not null) return;
        var ids = new List<string>(JournaledTaskStates.MaxPerRead);
        while (ids.Count < JournaledTaskStates.MaxPerRead && _toResume.TryDequeue(out var id))
        {
            // Started or asleep already (a message woke it meanwhile): it has its state.
            if (_children.ContainsKey(id) || _sleeping.Contains(id) || _held.ContainsKey(id)) continue;
            _held[id] = [];
            ids.Add(id);
        }
        if (ids.Count == 0)
        {
            ReportResumed();
            return;
        }
        _reading = ids;
        JournalStates.ReadAsync(ids, CancellationToken.None)
            .PipeTo(Self, success: tasks => new ResumesRead(tasks), failure: e => new ResumesUnread(e));
    }

    /// <summary>Tasks an account can poll a second: its requests a second, times the tasks one query answers.</summary>
    private double AccountPollRate(string account)
    {
        if (_accountPollRates.TryGetValue(account, out var rate)) return rate;
        var qps = _runtime.Providers.Find(account)?.Options.Qps ?? ResumedPollsPerSecond;
        var perQuery = _runtime.Providers.ClientFor(account) is Providers.IBatchQueryClient batch ? batch.MaxBatch : 1;
        return _accountPollRates[account] = Math.Max(0.1, qps * ResumedShareOfAccountRate * perQuery);
    }

    private List<string> TakeReading()
    {
        var reading = _reading ?? [];
        _reading = null;
        return reading;
    }

    /// <summary>Once every task of a restart has been read back: how many sleep and until when, for the operator.</summary>
    private void ReportResumed()
    {
        if (_resumedAsleep + _resumedAwake == 0) return;
        Context.GetLogger().Info("Resumed {0} unfinished tasks from the journal: {1} asleep until their first poll (the last at {2:O}), {3} started as actors",
            _resumedAsleep + _resumedAwake, _resumedAsleep, _lastResumedPoll, _resumedAwake);
        (_resumedAsleep, _resumedAwake) = (0, 0);
    }

    /// <summary>Starts a task read back unless it sleeps, then routes what came for it while it was being read.</summary>
    private void Resume(string id, bool asleep)
    {
        if (asleep) _resumedAsleep++;
        else _resumedAwake++;
        _held.Remove(id, out var held);
        if (!asleep) Route(new WakeTask(id), Self);
        foreach (var (message, sender) in held ?? []) Route(message, sender);
    }
}
