using Akka.Actor;
using Orchestrator.Cluster;

namespace Orchestrator.Tests.Cluster;

/// <summary>A read asked of a singleton whose node just died is lost: asked again, it finds the singleton's next home.</summary>
public sealed class RetriedReadTests : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>Loses the first <c>lost</c> questions, as a dead node does, and answers the rest.</summary>
    private sealed class LosesFirst : ReceiveActor
    {
        public LosesFirst(int lost)
        {
            var seen = 0;
            ReceiveAny(q => { if (++seen > lost) Sender.Tell($"answer to {q} (try {seen})"); });
        }
    }

    [Fact]
    public async Task A_lost_question_is_asked_again_and_answered()
    {
        var singleton = Sys.ActorOf(Props.Create(() => new LosesFirst(2)));
        var answer = await RetriedRead.AskAsync<string>(singleton, "status", TimeSpan.FromSeconds(20), CancellationToken.None, TimeSpan.FromMilliseconds(200));
        Assert.Equal("answer to status (try 3)", answer);
    }

    [Fact]
    public async Task Nobody_answering_times_out_after_the_whole_time_not_the_first_try()
    {
        var gone = Sys.ActorOf(Props.Create(() => new LosesFirst(int.MaxValue)));
        var started = DateTimeOffset.UtcNow;
        await Assert.ThrowsAsync<AskTimeoutException>(() =>
            RetriedRead.AskAsync<string>(gone, "status", TimeSpan.FromSeconds(1), CancellationToken.None, TimeSpan.FromMilliseconds(200)));
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(0.9), "gave up before the whole time had passed");
    }
}
