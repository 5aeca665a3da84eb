namespace Orchestrator.Tasks;

/// <summary>
/// When each task resumed by a restart may make its first poll: in turn, at most <see cref="NodeRate"/> a second on the
/// node (a woken task starts an actor and polls) and no faster than its account can poll. A task woken before its
/// account can take its poll only waits awake in the throttle's queue, costing an actor; waiting asleep until its turn
/// costs its state alone. Pure: the supervisor passes the rates and the start.
/// </summary>
internal sealed class ResumedPollTurns(DateTimeOffset start, double nodeRate)
{
    private readonly Dictionary<string, long> _byAccount = new();
    private long _onNode;

    public double NodeRate { get; } = nodeRate;

    /// <summary>
    /// The next turn for a task of <paramref name="account"/>, which polls at most <paramref name="accountRate"/> tasks a
    /// second (its requests a second, times the tasks one query answers).
    /// </summary>
    public DateTimeOffset Next(string account, double accountRate)
    {
        var ofAccount = _byAccount[account] = _byAccount.GetValueOrDefault(account) + 1;
        var onNode = ++_onNode;
        var seconds = Math.Max((onNode - 1) / NodeRate, (ofAccount - 1) / Math.Min(accountRate, NodeRate));
        return start + TimeSpan.FromSeconds(seconds);
    }
}
