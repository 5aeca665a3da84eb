using Orchestrator.Throttling;

namespace Orchestrator.Tests.Throttling;

/// <summary>The rolling window's ledger, on a clock the test moves: a second's capacity of 2, calls time out after 30 s.</summary>
public sealed class RollingGrantLogTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);
    private readonly RollingGrantLog _log = new(2, Window, TimeSpan.FromSeconds(30));

    [Fact]
    public void A_finished_call_keeps_its_place_for_a_window_after_its_answer()
    {
        _log.Granted(1, At(0));
        _log.Granted(2, At(0));
        _log.Complete(1, At(0.2));
        Assert.Equal(At(1.2) - At(0.5), _log.WaitBeforeNext(At(0.5)));
        Assert.Null(_log.WaitBeforeNext(At(1.2)));
    }

    [Fact]
    public void A_permit_never_spent_gives_its_place_back_at_once()
    {
        _log.Granted(1, At(0));
        _log.Granted(2, At(0));
        _log.Withdraw(1);
        Assert.Null(_log.WaitBeforeNext(At(0.1)));
        Assert.Equal(1, _log.InFlight);
    }

    [Fact]
    public void A_gone_owners_calls_count_as_arrived_now_instead_of_holding_the_window_until_their_timeout()
    {
        _log.Granted(1, At(0), owner: "node-2");
        _log.Granted(2, At(0), owner: "node-2");
        Assert.Equal(At(30) - At(5), _log.WaitBeforeNext(At(5))); // their answers never come: held until the timeout

        Assert.Equal(2, _log.CompleteAllOf("node-2", At(5)));
        Assert.Equal(Window, _log.WaitBeforeNext(At(5)));
        Assert.Null(_log.WaitBeforeNext(At(6)));
        Assert.Equal(0, _log.CompleteAllOf("node-2", At(6)));
    }
}
