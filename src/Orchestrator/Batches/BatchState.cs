using System.Text.Json;
using Orchestrator.Persistence;
using Orchestrator.Tasks;

namespace Orchestrator.Batches;

/// <summary>
/// One batch folded from its events (no Akka, no clock). Requests are kept per chunk as compact UTF-8 JSON and
/// dropped once every task of the chunk has been handed to its actor, so a queued 100,000-task batch costs tens of
/// megabytes, not a live actor per task. <see cref="Released"/> is in-memory progress; the journal keeps the mark
/// up to which tasks may exist.
/// </summary>
internal sealed class BatchState
{
    private sealed class Chunk(int first, int[] lines, byte[] payload)
    {
        public int First { get; } = first;
        public int Count => Lines.Length;
        /// <summary>Upload line of each entry, kept after the requests are dropped (4 bytes a task).</summary>
        public int[] Lines { get; } = lines;
        public int FirstLine => Lines[0];
        public int LastLine => Lines[^1];
        public byte[]? Payload { get; set; } = payload;
    }

    private readonly List<Chunk> _chunks = [];
    private (int Chunk, IReadOnlyList<BatchEntry> Entries)? _open;

    public string BatchId { get; private set; } = "";
    public bool Exists => BatchId.Length > 0;
    public DateTimeOffset CreatedAt { get; private set; }
    public bool Atomic { get; private set; }
    public int Total { get; private set; }
    public int RejectedCount { get; private set; }
    public bool IsSealed { get; private set; }
    public DateTimeOffset? SealedAt { get; private set; }
    public string? AbandonedReason { get; private set; }
    public bool IsCancelled { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }
    /// <summary>Release position from which tasks had not started when the batch was cancelled.</summary>
    public int QueuedFrom { get; private set; }
    /// <summary>Queued tasks whose cancellation has been written (they are written in release order from <see cref="QueuedFrom"/>).</summary>
    public int QueuedCancelled { get; private set; }
    /// <summary>Tasks [0, Mark) may have been handed to their actors.</summary>
    public int Mark { get; private set; }
    /// <summary>Tasks [0, Released) have been handed to their actors by this incarnation (or found to exist).</summary>
    public int Released { get; private set; }
    /// <summary>
    /// The tenant (<c>metadata.tenant</c>) every task of the batch names, or null when none does or they differ. An API
    /// key's upload stamps its tenant on every line, so this is the key's tenant; folded from the chunks, so no event
    /// has to carry it.
    /// </summary>
    public string? Tenant => _tenants is [var only] ? only : null;
    private readonly List<string?> _tenants = [];
    /// <summary>The batch whose failed lines this one runs again, or null.</summary>
    public string? RetryOf { get; private set; }
    /// <summary>The batches that run this one's failed lines again, oldest first.</summary>
    public List<string> Retries { get; } = [];
    /// <summary>Lines already run again by one of <see cref="Retries"/>.</summary>
    public HashSet<int> RetriedLines { get; } = [];
    /// <summary>The accounts its tasks go to.</summary>
    public HashSet<string> Accounts { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The upload an idempotency key's batch belongs to (the latest that opened it), or null.</summary>
    public string? Upload { get; private set; }
    /// <summary>The sealed upload's content hash (an idempotency key's batch), or null.</summary>
    public string? ContentHash { get; private set; }

    /// <summary>Whether it may still hand tasks to actors.</summary>
    public bool IsReleasing => IsSealed && !IsCancelled && AbandonedReason is null && Released < Total;

    public void Apply(IBatchEvent e)
    {
        switch (e)
        {
            case BatchOpened o:
                if (Exists) StartOver(); // a later upload of the same idempotency key: the earlier one never sealed, nothing of it ran
                BatchId = o.BatchId; Atomic = o.Atomic; CreatedAt = o.At; RetryOf = o.RetryOf; Upload = o.Upload;
                break;
            case BatchChunkStored c when c.Entries.Count > 0:
                _chunks.Add(new Chunk(Total, [.. c.Entries.Select(x => x.Line)], JsonSerializer.SerializeToUtf8Bytes(c.Entries, OrchestratorSerializer.Json)));
                Total += c.Entries.Count;
                foreach (var entry in c.Entries)
                {
                    Accounts.Add(entry.Request.Provider);
                    var tenant = entry.Request.Metadata?.GetValueOrDefault("tenant");
                    if (_tenants.Count < 2 && !_tenants.Contains(tenant)) _tenants.Add(tenant);
                }
                break;
            case BatchSealed s: IsSealed = true; SealedAt = s.At; RejectedCount = s.RejectedCount ?? s.Rejected.Count; ContentHash = s.ContentHash; break;
            case BatchAbandoned a: AbandonedReason = a.Reason; DropAll(); break;
            case BatchReleaseMarked m: Mark = Math.Max(Mark, m.UpTo); break;
            case BatchCancelled c: IsCancelled = true; CancelledAt = c.At; QueuedFrom = c.QueuedFrom; break;
            case BatchRetried r: Retries.Add(r.RetryBatchId); RetriedLines.UnionWith(r.Lines); break;
        }
    }

    /// <summary>A queued task's cancellation was written.</summary>
    public void Apply(TaskCancelledQueued _) => QueuedCancelled++;

    /// <summary>The task at release position <paramref name="index"/> (0-based over accepted entries).</summary>
    public BatchEntry EntryAt(int index)
    {
        var c = _chunks.FindLastIndex(ch => ch.First <= index);
        if (c < 0 || index >= _chunks[c].First + _chunks[c].Count) throw new ArgumentOutOfRangeException(nameof(index));
        return Entries(c)[index - _chunks[c].First];
    }

    /// <summary>The upload line of the task at release position <paramref name="index"/> (known even after hand-over).</summary>
    public int LineAt(int index)
    {
        var c = _chunks.FindLastIndex(ch => ch.First <= index);
        return _chunks[c].Lines[index - _chunks[c].First];
    }

    /// <summary>The entry with this upload line, or null (rejected, blank, or not in this batch).</summary>
    public (int Index, BatchEntry Entry)? FindLine(int line)
    {
        var c = _chunks.FindIndex(ch => ch.FirstLine <= line && line <= ch.LastLine);
        if (c < 0 || _chunks[c].Payload is null && _open?.Chunk != c) return null;
        var entries = Entries(c);
        for (var i = 0; i < entries.Count; i++)
            if (entries[i].Line == line) return (_chunks[c].First + i, entries[i]);
        return null;
    }

    /// <summary>Whether the task at this upload line is still queued in the batch (not yet handed to its actor).</summary>
    public bool IsQueued(int index) => index >= Released;

    /// <summary>Records that tasks [Released, upTo) were handed over; chunks wholly handed over drop their requests.</summary>
    public void MarkReleased(int upTo)
    {
        Released = Math.Max(Released, Math.Min(upTo, Total));
        foreach (var ch in _chunks)
            if (ch.First + ch.Count <= Released && ch.Payload is not null)
            {
                ch.Payload = null;
                if (_open is { } o && _chunks[o.Chunk] == ch) _open = null;
            }
    }

    private IReadOnlyList<BatchEntry> Entries(int chunk)
    {
        if (_open is { } o && o.Chunk == chunk) return o.Entries;
        var payload = _chunks[chunk].Payload ?? throw new InvalidOperationException("The chunk's tasks were already handed over.");
        var entries = JsonSerializer.Deserialize<List<BatchEntry>>(payload, OrchestratorSerializer.Json)!;
        _open = (chunk, entries);
        return entries;
    }

    /// <summary>Forgets an unsealed upload's chunks (or its abandonment): only a batch that never sealed is opened again.</summary>
    private void StartOver()
    {
        _chunks.Clear();
        _open = null;
        _tenants.Clear();
        Accounts.Clear();
        Total = 0;
        AbandonedReason = null;
    }

    private void DropAll()
    {
        foreach (var ch in _chunks) ch.Payload = null;
        _open = null;
    }
}
