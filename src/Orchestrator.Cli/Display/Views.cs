using Orchestrator.Batches;
using Orchestrator.Tasks;

namespace Orchestrator.Cli.Display;

/// <summary>What the CLI asks of the API's records.</summary>
public static class Views
{
    /// <summary>Statuses in lifecycle order, for displays that list every one.</summary>
    public static readonly TaskLifecycle[] AllStatuses = Enum.GetValues<TaskLifecycle>();

    extension(TaskView task)
    {
        public bool HasEnded => task.Status.IsTerminal();

        public bool Succeeded => task.Status == TaskLifecycle.Succeeded;
    }

    extension(BatchView batch)
    {
        public bool HasEnded => batch.CompletedAt is not null || batch.Ended >= batch.Total;

        /// <summary>Tasks that ended other than succeeded: failed, timed out or cancelled.</summary>
        public int EndedBadly => batch.Count(TaskLifecycle.Failed) + batch.Count(TaskLifecycle.TimedOut) + batch.Count(TaskLifecycle.Cancelled);

        public int Count(TaskLifecycle status) => batch.Counts.GetValueOrDefault(status.WireName());
    }
}
