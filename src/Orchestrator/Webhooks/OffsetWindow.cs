namespace Orchestrator.Webhooks;

/// <summary>
/// Which completions read from the feed are still open (their first attempt has not ended and nothing about them is
/// journaled yet). The watermark is the highest offset below which every completion is closed: what may be committed.
/// Not journaled: after a restart the window starts again at the committed offset.
/// </summary>
internal sealed class OffsetWindow(long start)
{
    private readonly SortedSet<long> _open = [];

    /// <summary>The last offset read from the feed: a stream that is restarted continues after it.</summary>
    public long LastSeen { get; private set; } = start;

    public int OpenCount => _open.Count;

    /// <summary>A completion was read and is being delivered.</summary>
    public void Open(long offset)
    {
        Seen(offset);
        _open.Add(offset);
    }

    /// <summary>A completion was read that needs no attempt (filtered out, or already journaled).</summary>
    public void Seen(long offset) => LastSeen = Math.Max(LastSeen, offset);

    /// <summary>Its first attempt arrived, or its failure is journaled.</summary>
    public void Close(long offset) => _open.Remove(offset);

    /// <summary>Everything up to here is closed.</summary>
    public long Watermark => _open.Count == 0 ? LastSeen : Math.Min(LastSeen, _open.Min - 1);
}
