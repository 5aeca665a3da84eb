using Orchestrator.Tasks;

namespace Orchestrator.Tests.Tasks;

/// <summary>The first polls of a restart's resumed tasks take turns: no faster than the node or their account can poll.</summary>
public sealed class ResumedPollTurnsTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static double[] Seconds(IEnumerable<DateTimeOffset> turns) => [.. turns.Select(t => (t - Start).TotalSeconds)];

    [Fact]
    public void A_slow_account_s_tasks_take_turns_at_its_rate()
    {
        var turns = new ResumedPollTurns(Start, nodeRate: 2_000);
        Assert.Equal([0, 0.1, 0.2, 0.3], Seconds(Enumerable.Range(0, 4).Select(_ => turns.Next("kling", accountRate: 10))));
    }

    [Fact]
    public void Fast_accounts_share_the_node_s_rate_and_a_slow_one_keeps_its_own()
    {
        var turns = new ResumedPollTurns(Start, nodeRate: 10);
        var a = turns.Next("a", 1_000);
        var b = turns.Next("b", 1_000);
        var a2 = turns.Next("a", 1_000);
        var slow = turns.Next("slow", 1);
        var slow2 = turns.Next("slow", 1);
        Assert.Equal([0, 0.1, 0.2, 0.3, 1], Seconds([a, b, a2, slow, slow2]));
    }
}
