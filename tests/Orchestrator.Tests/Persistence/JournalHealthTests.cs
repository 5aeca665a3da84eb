using Microsoft.Extensions.Time.Testing;
using Orchestrator.Hosting;
using Orchestrator.Persistence;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// When the accept path refuses: a single task once the journal's writes queue (many under way, the oldest for over half
/// a second), so its client hears a quick 503 instead of waiting behind the queue; a batch or a stream only once a write
/// stalls for 3 s or fails.
/// </summary>
public sealed class JournalHealthTests
{
    private readonly FakeTimeProvider _clock = new();

    private static List<long> Start(JournalHealth health, int writes) => [.. Enumerable.Range(0, writes).Select(_ => health.Started())];

    [Fact]
    public void A_long_queue_of_writes_refuses_one_task_at_once_with_a_short_retry_while_batches_still_go_in()
    {
        var health = new JournalHealth(_clock);
        var queue = Start(health, JournalHealth.OneTaskQueueAtLeast);
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        health.EnsureAdmitsOneTask(); // the queue is long but moving: under half a second old

        _clock.Advance(TimeSpan.FromMilliseconds(200));
        var refused = Assert.Throws<JournalUnavailableException>(health.EnsureAdmitsOneTask);
        Assert.Equal(JournalHealth.RetryAfterQueueing, refused.RetryAfter);
        Assert.Contains("100 writes queue", refused.Message);
        health.EnsureAdmits(); // a batch upload is not refused for a queue

        foreach (var write in queue.Take(1)) health.Succeeded(write); // one fewer than the bound still under way
        health.EnsureAdmitsOneTask();
    }

    [Fact]
    public void A_slow_write_with_few_behind_it_does_not_refuse_one_task_until_it_stalls()
    {
        var health = new JournalHealth(_clock);
        Start(health, 20);
        _clock.Advance(TimeSpan.FromSeconds(2));
        health.EnsureAdmitsOneTask(); // one slow fsync: waiting or retrying costs the client the same

        _clock.Advance(TimeSpan.FromSeconds(1.5));
        var refused = Assert.Throws<JournalUnavailableException>(health.EnsureAdmitsOneTask);
        Assert.Equal(JournalHealth.RetryAfter, refused.RetryAfter);
        Assert.Throws<JournalUnavailableException>(health.EnsureAdmits);
    }

    [Fact]
    public void Once_the_queue_drains_one_task_is_accepted_again()
    {
        var health = new JournalHealth(_clock);
        var queue = Start(health, 150);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Throws<JournalUnavailableException>(health.EnsureAdmitsOneTask);

        foreach (var write in queue) health.Succeeded(write);
        Start(health, 150); // a fresh queue as long: new writes, not yet waiting
        health.EnsureAdmitsOneTask();
    }
}
