using System.Runtime.CompilerServices;
using Akka.Actor;
using Orchestrator.Batches;
using Orchestrator.Tasks;

namespace Orchestrator.Hosting;

/// <summary>The batch half of <see cref="ActorOrchestrator"/>.</summary>
internal sealed partial class ActorOrchestrator
{
    private const int ResultsPage = 500;
    private const int MinEndsForEta = 2;

    /// <summary>How long <c>SubmitManyAsync</c> waits for a journal that cannot take writes before it gives up.</summary>
    internal static readonly TimeSpan StreamWaitsForJournal = TimeSpan.FromMinutes(2);

    private BatchIntake Intake => new(validator, async ct => await batches.GetAsync(ct), options.Batches, Journal.EnsureAdmits,
        ct => Journal.WaitUntilAdmitsAsync(StreamWaitsForJournal, ct));

    public IAsyncEnumerable<TaskSubmitResult> SubmitManyAsync(IAsyncEnumerable<TaskSubmission> submissions, CancellationToken ct = default) =>
        Intake.SubmitManyAsync(submissions, ct);

    public Task<BatchAcceptance> SubmitBatchAsync(IAsyncEnumerable<BatchLineInput> lines, bool atomic, CancellationToken ct = default) =>
        Intake.AcceptAsync(lines, atomic, ct);

    public Task<BatchAcceptance> SubmitBatchAsync(IAsyncEnumerable<BatchLineInput> lines, BatchSubmitOptions options, CancellationToken ct = default)
    {
        if (TaskValidator.IdempotencyKeyProblem(options.IdempotencyKey) is { } problem)
            throw new TaskValidationException([new FieldError("idempotencyKey", problem)]);
        return Intake.AcceptAsync(lines, options.Atomic, ct, idempotencyKey: options.IdempotencyKey);
    }

    public async Task<BatchView?> GetBatchAsync(string batchId, CancellationToken ct = default) =>
        BatchIds.IsWellFormed(batchId) && await AcknowledgedAsync(batchId, ct) is { } status ? await ViewOfAsync(status, ct) : null;

    /// <summary>What the batch knows of itself, if it is acknowledged (sealed, not abandoned); null otherwise.</summary>
    private async Task<BatchStatus?> AcknowledgedAsync(string batchId, CancellationToken ct) =>
        await Cluster.RetriedRead.AskAsync<object>(await batches.GetAsync(ct), new GetBatch(batchId), AskTimeout, ct)
            is BatchStatus { Sealed: true, AbandonedReason: null } status ? status : null;

    /// <summary>The batch's counts (from the read model), throughput and ETA.</summary>
    private async Task<BatchView> ViewOfAsync(BatchStatus status, CancellationToken ct)
    {
        var batchId = status.BatchId;
        var tally = await reads.BatchTallyAsync(batchId, ct);
        var counts = Enum.GetValues<TaskLifecycle>().ToDictionary(s => s, s => tally.Counts.GetValueOrDefault(s));
        var queued = Math.Max(0, status.Total - tally.Known);
        counts[status.Cancelled ? TaskLifecycle.Cancelled : TaskLifecycle.Accepted] += queued;
        var ended = counts.Where(kv => kv.Key.IsTerminal()).Sum(kv => kv.Value);
        var now = DateTimeOffset.UtcNow;
        var elapsed = Math.Max(0.001, (now - status.CreatedAt).TotalSeconds);
        var remaining = status.Total - ended;
        return new BatchView(batchId, status.CreatedAt, status.Total, status.RejectedCount,
            counts.ToDictionary(kv => kv.Key.WireName(), kv => kv.Value), ended, status.Cancelled, ended / elapsed,
            EtaSeconds(ended, remaining, elapsed), remaining == 0 ? tally.LastEndedAt : null)
        {
            Tenant = status.Tenant, RetryOf = status.RetryOf, Retries = status.Retries,
        };
    }

    public async IAsyncEnumerable<TaskView> BatchResultsAsync(string batchId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (!BatchIds.IsWellFormed(batchId)) yield break;
        var after = 0;
        while (true)
        {
            var page = await reads.BatchPageAsync(new ListBatchTasks(batchId, after, ResultsPage, EndedOnly: true), ct);
            foreach (var v in page.Items) yield return v;
            if (page.NextAfterLine is not { } next) yield break;
            after = next;
        }
    }

    public async Task<BatchCancelReply?> CancelBatchAsync(string batchId, CancellationToken ct = default)
    {
        if (!BatchIds.IsWellFormed(batchId)) return null;
        var reply = await (await batches.GetAsync(ct)).Ask<object>(new CancelBatch(batchId), AskTimeout, ct);
        return reply as BatchCancelReply;
    }

    /// <summary>A task still queued in its batch has no actor yet: its batch answers for it.</summary>
    private async Task<TaskView?> QueuedTaskAsync(string taskId, CancellationToken ct) =>
        await Cluster.RetriedRead.AskAsync<object>(await batches.GetAsync(ct), new FindQueuedTask(taskId), AskTimeout, ct) as TaskView;

    /// <summary>
    /// Seconds until the tasks left end, those not started yet included, at the rate tasks of this batch have been ending
    /// since it was acknowledged (which holds whatever limits it: the account's rate, its concurrency, task durations).
    /// Null when nothing is left, or when too few tasks have ended to measure a rate: unknown is better than a wrong figure.
    /// </summary>
    private static double? EtaSeconds(int ended, int remaining, double elapsedSeconds) =>
        remaining <= 0 || ended < MinEndsForEta ? null : remaining * elapsedSeconds / ended;
}
