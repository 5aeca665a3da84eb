using Akka.Actor;
using Akka.Hosting;
using Orchestrator.Batches;
using Orchestrator.Callbacks;
using Orchestrator.Events;
using Orchestrator.Persistence;
using Orchestrator.Polling;
using Orchestrator.Providers;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Throttling;

namespace Orchestrator.Hosting;

/// <summary><see cref="IOrchestrator"/> over the actors: validation here, everything else by message.</summary>
internal sealed partial class ActorOrchestrator(
    TaskValidator validator,
    ProviderDirectory providers,
    OrchestratorReadiness readiness,
    IRequiredActor<TaskSupervisor> supervisor,
    TaskReadModel reads,
    IRequiredActor<ProviderThrottles> throttles,
    IRequiredActor<BatchDirectory> batches,
    CompletionFeed completions,
    PollLearning learning,
    CallbackTokens callbackTokens,
    ResultFiles.IResultStore resultStore,
    OrchestratorOptions options,
    ActorSystem system,
    Timelines.TaskTimelines timelines,
    BatchRegistry batchRows) : IOrchestrator
{
    // Asked before anything is written: a journal that cannot store now refuses at once, rather than after the ask timeout.
    private JournalHealth Journal => JournalHealth.For(system);

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    // A task actor answers between two messages; one busy for longer than this is worth listing.
    private static readonly TimeSpan ProgressAnswerWithin = TimeSpan.FromSeconds(3);

    public bool IsReady => readiness.IsReady;
    public Task WhenReady => readiness.WhenReady;

    public async Task<(TaskView View, bool Created)> SubmitAsync(TaskSubmission submission, CancellationToken ct = default)
    {
        var (request, errors) = validator.Validate(submission);
        if (request is null) throw new TaskValidationException(errors);
        // Refuse before persisting when the account's queue is at its bound (a soft bound: concurrent checks may pass together).
        var room = await (await throttles.GetAsync(ct)).Ask<QueueRoom>(new AskQueueRoom(request.Provider), AskTimeout, ct);
        if (!room.HasRoom) throw new QueueFullException(request.Provider, room.Queued, room.RetryAfter);
        Journal.EnsureAdmitsOneTask();
        var fresh = request.IdempotencyKey is null;
        var id = fresh ? TaskIds.New() : TaskIds.ForIdempotencyKey(request.IdempotencyKey!);
        var reply = await (await supervisor.GetAsync(ct)).Ask<object>(new SubmitTask(id, request, fresh, CreatedBy()), AskTimeout, ct);
        return reply switch
        {
            TaskAcceptedReply a => (a.View, a.Created),
            IdempotencyConflict c => throw new IdempotencyConflictException(c.TaskId),
            _ => throw new InvalidOperationException($"Unexpected reply {reply.GetType().Name}"),
        };
    }

    /// <summary>
    /// The caller's trace (the HTTP request's activity, or an embedding host's own) when someone records the orchestrator's
    /// spans: without tracing, the journal keeps no trace ids.
    /// </summary>
    private static string? CreatedBy() =>
        Telemetry.ProviderCallSpan.Source.HasListeners()
        && System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } current ? current.Id : null;

    public async Task<TaskView?> GetAsync(string taskId, CancellationToken ct = default)
    {
        if (!TaskIds.IsWellFormed(taskId)) return null;
        // The batch answers for a task it has not handed over yet. A task it handed over sets its live view before it
        // tells the batch it is accepted, so once the batch says "not mine", a second look finds the task.
        var view = await reads.GetAsync(taskId, ct) ?? await QueuedTaskAsync(taskId, ct) ?? await reads.GetAsync(taskId, ct)
            ?? await FromTaskActorAsync(taskId, ct);
        return view is null ? null : Explained(view);
    }

    /// <summary>
    /// Cluster mode: a task accepted a moment ago on another node has its live view there, and may not be in the read
    /// model yet; its actor answers, wherever it lives. (An unknown id starts an actor that answers "not found" and stops.)
    /// </summary>
    private async Task<TaskView?> FromTaskActorAsync(string taskId, CancellationToken ct) =>
        options.Cluster.Enabled ? await (await supervisor.GetAsync(ct)).Ask<object>(new GetTask(taskId), AskTimeout, ct) as TaskView : null;

    /// <summary>
    /// A stored view does not say why an unfinished task makes no progress, but configuration does: a task whose account
    /// is gone or disabled waits for it (as its actor also says once it runs).
    /// </summary>
    private TaskView Explained(TaskView view) =>
        view.WaitingFor is null && !view.Status.IsTerminal() && providers.Find(view.Provider) is not { Enabled: true }
            ? view with { WaitingFor = $"account {view.Provider} is not configured" }
            : view;

    public async Task<(TaskView View, bool Cancelled)?> CancelAsync(string taskId, CancellationToken ct = default)
    {
        if (!TaskIds.IsWellFormed(taskId)) return null;
        var reply = await (await supervisor.GetAsync(ct)).Ask<object>(new CancelTask(taskId), AskTimeout, ct);
        return reply is CancelReply c ? (c.View, c.Cancelled) : null;
    }

    public Task<ResultFiles.StoredFileContent?> OpenResultAsync(string taskId, int index, CancellationToken ct = default) =>
        TaskIds.IsWellFormed(taskId) && index >= 0 ? resultStore.OpenAsync(taskId, index, ct) : Task.FromResult<ResultFiles.StoredFileContent?>(null);

    public async Task<TaskPage> ListAsync(ListTasks query, CancellationToken ct = default)
    {
        const string afterIs = "The nextAfter of the previous page: a task id (32 lowercase hex characters)";
        if (query.After is { } after && !TaskIds.IsWellFormed(after))
            throw new TaskValidationException([new FieldError("after", $"{afterIs}; got '{Shorten(after)}'.")]);
        var page = await reads.ListAsync(query, ct)
            ?? throw new TaskValidationException([new FieldError("after", $"{afterIs}; no task has the id '{query.After}'.")]);
        return page with { Items = page.Items.Select(Explained).ToList() };
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    public async Task<TaskView> WaitForCompletionAsync(string taskId, TimeSpan timeout, CancellationToken ct = default)
    {
        if (!TaskIds.IsWellFormed(taskId)) throw new UnknownTaskException(taskId);
        try
        {
            return await reads.WaitForEndAsync(taskId, timeout, ct) ?? throw new UnknownTaskException(taskId);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Task {taskId} did not end within {timeout}.");
        }
    }

    public async Task<bool?> AcceptCallbackAsync(string provider, string taskId, string? token, System.Text.Json.JsonElement body, CancellationToken ct = default)
    {
        // The token is checked first, so nothing about the task or account is revealed to a forger.
        if (!TaskIds.IsWellFormed(taskId) || !callbackTokens.Verify(taskId, token)) return false;
        var account = providers.Find(provider);
        if (account?.Type.ParseCallback(body) is not { } snapshot) return null;
        if (snapshot.FailureMessage is { } failure) snapshot = snapshot with { FailureMessage = providers.Redactor.Redact(failure) };
        (await supervisor.GetAsync(ct)).Tell(new ProviderCallback(taskId, snapshot));
        return true;
    }

    public IAsyncEnumerable<TaskCompletion> CompletionsAsync(long fromOffset = 0, CancellationToken ct = default) =>
        completions.ReadAsync(fromOffset, ct);

    public async Task<IReadOnlyList<ProviderAccountStatus>> ProvidersAsync(CancellationToken ct = default)
    {
        var stats = (await (await throttles.GetAsync(ct)).Ask<IReadOnlyList<ThrottleStats>>(new GetAllThrottleStats(), AskTimeout, ct))
            .ToDictionary(s => s.Account, StringComparer.OrdinalIgnoreCase);
        var unfinished = await reads.UnfinishedByAccountAsync(ct);
        var configured = providers.Accounts
            .Select(a => new ProviderAccountStatus(a.Name, a.Type.Name, a.Enabled, a.DisabledReason, a.BaseUrl?.ToString(), stats.GetValueOrDefault(a.Name),
                a.Enabled ? learning.StatsFor(a.Name) : null, a.Models.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key.WireName(), kv => kv.Value),
                unfinished.GetValueOrDefault(a.Name)));
        // Tasks outlive configuration: an account removed while it had work is listed with the tasks that wait for it.
        var missing = unfinished.Where(kv => providers.Find(kv.Key) is null)
            .Select(kv => new ProviderAccountStatus(kv.Key, "unknown", false,
                $"Account {kv.Key} is not configured: its {kv.Value} unfinished task(s) wait until it is configured again (or their deadline passes).",
                null, null, null, new Dictionary<string, IReadOnlyList<string>>(), kv.Value));
        return configured.Concat(missing).OrderBy(a => a.Account, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public async Task<StuckTaskReport> StuckTasksAsync(CancellationToken ct = default)
    {
        var tasks = await supervisor.GetAsync(ct);
        if (!options.Cluster.Enabled) return await tasks.Ask<StuckTaskReport>(new ListStuck(ProgressAnswerWithin), AskTimeout, ct);
        // A shard region does not answer ListStuck: the read model says which tasks are unfinished, cluster-wide.
        // Asking a sleeping task would wake it: it is counted, as a single node counts its sleepers.
        var (awake, asleep) = await reads.UnfinishedAwakeAndAsleepAsync(ct);
        return await StuckTasks.CheckThroughRegionAsync(awake, asleep, tasks, ProgressAnswerWithin);
    }
}
