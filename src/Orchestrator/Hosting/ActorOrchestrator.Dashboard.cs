using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Batches;
using Orchestrator.Persistence;
using Orchestrator.Tasks;
using Orchestrator.Timelines;

namespace Orchestrator.Hosting;

/// <summary>What an operator's dashboard asks beyond one task or batch: recent batches, a task's timeline, a batch's retry.</summary>
internal sealed partial class ActorOrchestrator
{
    /// <summary>What a retry runs again: a cancellation was somebody's decision, so cancelled lines are left alone.</summary>
    private static readonly TaskLifecycle[] Retryable = [TaskLifecycle.Failed, TaskLifecycle.TimedOut];

    // One retry at a time on this node: two clicks must not both find the same lines not yet retried.
    private readonly SemaphoreSlim _retrying = new(1, 1);

    public async Task<IReadOnlyList<BatchView>> ListBatchesAsync(int limit, string? tenant = null, CancellationToken ct = default)
    {
        var views = new List<BatchView>();
        // A tenant's batches are among everyone's: look a little further for them, never through the whole history.
        foreach (var id in await batchRows.RecentAsync(tenant is null ? limit : limit * 10, ct))
        {
            if (views.Count == limit) break;
            if (await GetBatchAsync(id, ct) is { } view && (tenant is null || view.Tenant == tenant)) views.Add(view);
        }
        return views;
    }

    public async Task<TaskCounts> CountTasksAsync(DateTimeOffset since, string? tenant = null, CancellationToken ct = default)
    {
        var counts = await reads.CountAsync(since, tenant, ct);
        return new TaskCounts(since, Enum.GetValues<TaskLifecycle>().ToDictionary(s => s.WireName(), s => counts.GetValueOrDefault(s)));
    }

    public async Task<TaskTimeline?> TimelineAsync(string taskId, CancellationToken ct = default) =>
        await GetAsync(taskId, ct) is { } view ? TimelineOf.Build(view, timelines.Find(taskId)) : null;

    public async Task<BatchRetryOutcome?> RetryBatchAsync(string batchId, CancellationToken ct = default)
    {
        if (!BatchIds.IsWellFormed(batchId)) return null;
        await _retrying.WaitAsync(ct);
        try
        {
            if (await AcknowledgedAsync(batchId, ct) is not { } status) return null;
            var view = await ViewOfAsync(status, ct);
            if (view.Ended < view.Total) return new BatchRetryOutcome.StillRunning(view.Ended, view.Total);
            var failed = (await reads.BatchTasksEndedAsAsync(batchId, Retryable, ct))
                .Where(kv => !status.RetriedLines.Contains(kv.Key)).ToDictionary();
            if (failed.Count == 0) return new BatchRetryOutcome.NothingToRetry(status.Retries);
            var requests = await RequestsAsync(batchId, failed.Keys.ToHashSet(), ct);
            var acceptance = await Intake.AcceptAsync(Lines(requests), atomic: false, ct, listAll: true, retry: new BatchRetrySource(batchId, failed));
            if (acceptance.BatchId is not { } retryId) return new BatchRetryOutcome.Refused(acceptance.Rejected);
            var rejected = acceptance.Rejected.Select(r => r.Line).ToHashSet();
            var retried = requests.Where(r => !rejected.Contains(r.Line))
                .Select(r => new RetriedTask(r.Line, BatchIds.TaskId(retryId, r.Line), failed[r.Line])).ToList();
            await (await batches.GetAsync(ct)).Ask<BatchStatus>(new NoteRetried(batchId, retryId, [.. retried.Select(r => r.Line)]), AskTimeout, ct);
            return new BatchRetryOutcome.Retried(new BatchRetryAcceptance(retryId, batchId, retried.Count, retried) { Rejected = acceptance.Rejected });
        }
        finally
        {
            _retrying.Release();
        }
    }

    /// <summary>
    /// The requests of these upload lines, from the batch's own journal (its chunks hold every accepted line; the batch
    /// actor lets go of them once its tasks started), in line order.
    /// </summary>
    private async Task<List<BatchEntry>> RequestsAsync(string batchId, IReadOnlySet<int> lines, CancellationToken ct)
    {
        var found = await OrchestratorPersistence.ReadJournal(system)
            .CurrentEventsByPersistenceId(BatchIds.PersistenceId(batchId), 0, long.MaxValue)
            .SelectMany(e => e.Event is BatchChunkStored c ? c.Entries.Where(entry => lines.Contains(entry.Line)) : [])
            .RunWith(Sink.Seq<BatchEntry>(), system.Materializer())
            .WaitAsync(ct);
        return [.. found.OrderBy(e => e.Line)];
    }

    private static async IAsyncEnumerable<BatchLineInput> Lines(IEnumerable<BatchEntry> entries)
    {
        foreach (var e in entries) yield return new BatchLineInput(e.Line, Resubmission.Of(e.Request with { BatchId = null, BatchLine = null, RetryOf = null }));
        await Task.CompletedTask;
    }
}
