namespace Orchestrator.Tasks;

/// <summary><see cref="TaskView"/> is a wire record (Orchestrator.Contracts); how it is made from a task's state lives here.</summary>
internal static class TaskViewFactory
{
    extension(TaskView)
    {
        /// <summary>The view of a task's state.</summary>
        public static TaskView From(TaskState s)
        {
            var r = s.Request ?? throw new InvalidOperationException("A task view needs an accepted task.");
            return new TaskView(s.TaskId, r.Provider, r.Kind.WireName(), r.Model, s.Status, s.ProviderTaskId, s.Results, s.Error,
                s.SubmitAttempts, s.Polls, s.CreatedAt, s.SubmittedAt, s.CompletedAt, s.NextPollAt, r.Metadata, r.WebhookUrl)
            {
                BatchId = r.BatchId,
                BatchLine = r.BatchLine,
                PossibleDuplicate = s.PossibleDuplicate,
                RetryOf = r.RetryOf,
            };
        }
    }
}
