using Orchestrator.Hosting;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>
/// Reads a batch upload line by line, validates each line alone and persists the valid ones in chunks of
/// <see cref="ChunkSize"/> (one journal event each), then seals the batch: only then is it acknowledged and may its
/// tasks start (a batch whose lines fit in one chunk, and has no idempotency key, is opened, stored and sealed in one journal write).
/// Nothing of an upload that fails half-way, or of an atomic batch with a rejected line, ever runs; and the
/// batch is opened in the journal only when it has something to store, so an upload refused before that leaves no trace.
/// <paramref name="admit"/> refuses an upload before its first line is read when the journal cannot store it now.
/// </summary>
internal sealed class BatchIntake(TaskValidator validator, Func<CancellationToken, Task<IActorRef>> directory, BatchOptions? limits = null, Action? admit = null,
    Func<CancellationToken, Task>? waitForRoom = null, TimeSpan? askTimeout = null)
{
    private readonly BatchOptions _limits = limits ?? new BatchOptions();

    public const int ChunkSize = 1000;

    /// <summary>How long a batch write may take before the journal counts as unable to store it (each write is one journal event).</summary>
    private readonly TimeSpan AskTimeout = askTimeout ?? TimeSpan.FromSeconds(60);

    /// <summary>
    /// Accepts an upload; <paramref name="onAccepted"/> sees each accepted entry (for callers that answer per line).
    /// Rejections are counted, and the first <see cref="BatchOptions.MaxListedRejections"/> listed (all of them when
    /// <paramref name="listAll"/>); an upload past <see cref="BatchOptions.MaxLines"/> is refused whole. With an
    /// <paramref name="idempotencyKey"/> (already scoped to its tenant) the batch's id comes from the key: an upload the
    /// key's batch already sealed is read only to compare it (the same lines: that batch, <see cref="BatchAcceptance.Repeated"/>;
    /// others: <see cref="BatchIdempotencyConflictException"/>), and one that never sealed is started over by this one.
    /// </summary>
    /// <exception cref="BatchTooLargeException">More than <see cref="BatchOptions.MaxLines"/> lines; nothing of it runs.</exception>
    /// <exception cref="BatchIdempotencyConflictException">
    /// The key's batch was made from other lines, or another upload with the key took it over while this one was being
    /// read; nothing of this upload runs.
    /// </exception>
    public async Task<BatchAcceptance> AcceptAsync(IAsyncEnumerable<BatchLineInput> lines, bool atomic, CancellationToken ct, Action<string, BatchEntry>? onAccepted = null,
        bool listAll = false, bool admitted = false, BatchRetrySource? retry = null, string? idempotencyKey = null)
    {
        if (!admitted) admit?.Invoke();
        var maxListed = listAll ? int.MaxValue : Math.Max(0, _limits.MaxListedRejections);
        var read = 0;
        var rejectedCount = 0;
        var batchId = idempotencyKey is null ? BatchIds.New() : BatchIds.ForIdempotencyKey(idempotencyKey);
        // Names this upload to the batch actor, so that an earlier upload of the key, should it still be going, cannot add to it.
        var upload = idempotencyKey is null ? null : Guid.NewGuid().ToString("N");
        var batches = await directory(ct);
        var earlier = upload is null ? null : await SealedAsync(batches, batchId, ct);
        using var content = upload is null ? null : new UploadHash(atomic);
        var opened = false;
        async Task OpenOnceAsync()
        {
            if (opened || earlier is not null) return;
            opened = true; // set before asking: a failed ask may still have opened it, and the catch abandons it
            var status = await batches.Ask<BatchStatus>(new OpenBatch(batchId, atomic, retry?.BatchId, upload), AskTimeout, ct);
            if (upload is not null && status.Sealed) (earlier, opened) = (status, false); // another upload of the key sealed it meanwhile
        }
        var chunk = new List<BatchEntry>(ChunkSize);
        var rejected = new List<LineRejection>();
        var accepted = 0;
        try
        {
            void Reject(int line, IReadOnlyList<FieldError> errors)
            {
                if (rejectedCount++ < maxListed) rejected.Add(new LineRejection(line, errors));
            }
            await foreach (var line in lines.WithCancellation(ct))
            {
                if (++read > _limits.MaxLines) throw new BatchTooLargeException(_limits.MaxLines);
                content?.Add(line);
                if (Check(line) is { } errors) { Reject(line.Line, errors); continue; }
                var (request, invalid) = validator.Validate(line.Submission!);
                if (request is null) { Reject(line.Line, invalid); continue; }
                var entry = new BatchEntry(line.Line, request with { BatchId = batchId, BatchLine = line.Line, RetryOf = retry?.TaskByLine.GetValueOrDefault(line.Line) });
                accepted++;
                onAccepted?.Invoke(batchId, entry);
                if (atomic && rejectedCount > 0 || earlier is not null) continue; // it will be abandoned, or it is a repeat: keep validating, stop storing
                chunk.Add(entry);
                if (chunk.Count == ChunkSize)
                {
                    await OpenOnceAsync();
                    if (earlier is null) await StoreAsync(batches, batchId, chunk, upload, ct);
                    chunk = new List<BatchEntry>(ChunkSize);
                }
            }
            if (earlier is not null) return Repeat(earlier, content!.Finish(), rejected);
            if (accepted == 0 || atomic && rejectedCount > 0)
            {
                if (opened) await batches.Ask<BatchStatus>(new AbandonBatch(batchId, accepted == 0 ? "no valid line" : "atomic batch with rejected lines", upload), AskTimeout, ct);
                return new BatchAcceptance(null, 0, rejected, rejectedCount);
            }
            if (!opened && upload is null)
            {
                // Everything fits in the one chunk: opened, stored and sealed in a single journal write.
                opened = true; // set before asking, as OpenOnceAsync does: a failed ask may still have stored it
                await batches.Ask<BatchStatus>(new StoreWholeBatch(batchId, atomic, chunk, rejectedCount, retry?.BatchId), AskTimeout, ct);
                Telemetry.OrchestratorMetrics.BatchTasksAccepted(accepted);
                return new BatchAcceptance(batchId, accepted, rejected, rejectedCount);
            }
            await OpenOnceAsync();
            if (earlier is not null) return Repeat(earlier, content!.Finish(), rejected);
            if (chunk.Count > 0) await StoreAsync(batches, batchId, chunk, upload, ct);
            await WriteAsync(batches, new SealBatch(batchId, accepted, rejectedCount, upload, content?.Finish()), ct);
            Telemetry.OrchestratorMetrics.BatchTasksAccepted(accepted);
            return new BatchAcceptance(batchId, accepted, rejected, rejectedCount);
        }
        catch (AskTimeoutException)
        {
            // A write of the batch was not confirmed in time: the journal is overloaded or stalled. Callers get the journal's
            // own answer (503 with Retry-After, JournalUnavailableException), not an actor system's timeout.
            if (opened) batches.Tell(new AbandonBatch(batchId, "the journal did not confirm the upload in time", upload));
            throw new JournalUnavailableException(
                $"The journal did not confirm the batch's writes within {AskTimeout.TotalSeconds:0} s; the batch is dropped. Try again in {Persistence.JournalHealth.RetryAfter.TotalSeconds:0} s.",
                Persistence.JournalHealth.RetryAfter);
        }
        catch
        {
            // The upload broke off (client gone, bad JSON, journal down): drop what was stored, best effort.
            if (opened) batches.Tell(new AbandonBatch(batchId, "the upload did not complete", upload));
            throw;
        }
    }

    /// <summary>The key's batch when an earlier upload sealed it; null when there is none yet, or it never sealed.</summary>
    private async Task<BatchStatus?> SealedAsync(IActorRef batches, string batchId, CancellationToken ct) =>
        await Cluster.RetriedRead.AskAsync<object>(batches, new GetBatch(batchId), AskTimeout, ct) is BatchStatus { Sealed: true, AbandonedReason: null } status ? status : null;

    /// <summary>The same upload sent again is answered with the batch it made; other lines under the key are refused.</summary>
    private static BatchAcceptance Repeat(BatchStatus earlier, string contentHash, List<LineRejection> rejected) =>
        earlier.ContentHash == contentHash
            ? new BatchAcceptance(earlier.BatchId, earlier.Total, rejected, earlier.RejectedCount) { Repeated = true }
            : throw new BatchIdempotencyConflictException(earlier.BatchId);

    /// <summary>
    /// <c>SubmitManyAsync</c>: the stream is cut into small batches — a batch is sealed when it holds
    /// <see cref="ChunkSize"/> requests or when the source has nothing ready — so tasks start while the stream goes on,
    /// and only one batch's requests are in memory at a time (back-pressure: the source is read as results are taken).
    /// </summary>
    public async IAsyncEnumerable<TaskSubmitResult> SubmitManyAsync(IAsyncEnumerable<TaskSubmission> submissions, [EnumeratorCancellation] CancellationToken ct)
    {
        // The source is read one request ahead while a batch is stored. Should storing fail (journal unavailable, an ask
        // timed out), that read may still be in flight, and an async iterator cannot be disposed mid-read: it would throw
        // NotSupportedException in place of the failure the caller needs to see. So the read is cancelled and the source
        // disposed once it returns, without holding up the failure.
        var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var source = submissions.GetAsyncEnumerator(reading.Token);
        Task<bool>? pending = null;
        try
        {
            var index = 0;
            var ended = false;
            while (!ended)
            {
                var group = new List<TaskSubmission>();
                while (group.Count < ChunkSize)
                {
                    var next = pending ?? source.MoveNextAsync().AsTask();
                    pending = null;
                    if (!next.IsCompleted && group.Count > 0) { pending = next; break; }
                    if (!await next) { ended = true; break; }
                    group.Add(source.Current);
                }
                if (group.Count == 0) break;
                // A stream waits while the journal cannot take writes (a stalled write, a failed one until a trial
                // succeeds) instead of failing: nothing of this group is stored yet, and the source is not read further.
                if (waitForRoom is not null) await waitForRoom(ct);
                var views = new Dictionary<int, TaskView>();
                var acceptance = await AcceptAsync(Lines(group), atomic: false, ct,
                    (batchId, e) => views[e.Line] = QueuedTaskViews.Of(BatchIds.TaskId(batchId, e.Line), e, batchId, DateTimeOffset.UtcNow, false, null), listAll: true,
                    admitted: waitForRoom is not null); // its wait took the journal's one trial write, if it was failing
                var rejected = acceptance.Rejected.ToDictionary(r => r.Line);
                for (var line = 1; line <= group.Count; line++)
                    yield return rejected.TryGetValue(line, out var r) ? new TaskSubmitResult(index + line - 1, null, r.Errors) : new TaskSubmitResult(index + line - 1, views[line], null);
                index += group.Count;
            }
        }
        finally
        {
            if (pending is { IsCompleted: false })
            {
                reading.Cancel();
                _ = pending.ContinueWith(async _ => { await source.DisposeAsync(); reading.Dispose(); }, TaskScheduler.Default);
            }
            else
            {
                await source.DisposeAsync();
                reading.Dispose();
            }
        }
    }

    private static async IAsyncEnumerable<BatchLineInput> Lines(List<TaskSubmission> group)
    {
        for (var i = 0; i < group.Count; i++) yield return new BatchLineInput(i + 1, group[i]);
        await Task.CompletedTask;
    }

    private static IReadOnlyList<FieldError>? Check(BatchLineInput line) =>
        line.Error is { } e ? [e]
        : line.Submission is null ? [new FieldError("body", "A JSON object is required.")]
        : line.Submission.IdempotencyKey is not null ? [new FieldError("idempotencyKey", "Not used in a batch: a batch task's id comes from its batch and line.")]
        : null;

    private Task StoreAsync(IActorRef batches, string batchId, List<BatchEntry> chunk, string? upload, CancellationToken ct) =>
        WriteAsync(batches, new StoreChunk(batchId, chunk, upload), ct);

    /// <summary>A chunk or the seal of this upload; refused when a later upload of its key took the batch over.</summary>
    private async Task WriteAsync(IActorRef batches, IBatchCommand write, CancellationToken ct)
    {
        if (await batches.Ask<object>(write, AskTimeout, ct) is UploadTakenOver)
            throw new BatchIdempotencyConflictException(write.BatchId, takenOver: true);
    }
}

/// <summary>A batch made to retry lines of <c>BatchId</c>: each line's new task names the task it runs again.</summary>
internal sealed record BatchRetrySource(string BatchId, IReadOnlyDictionary<int, string> TaskByLine);
