using Microsoft.Extensions.Time.Testing;
using Orchestrator.Server.Relay;

namespace Orchestrator.Tests.Relay;

/// <summary>The relay quota's counts on a fake clock: a token bucket per tenant and a cap of unfinished tasks.</summary>
public sealed class RelayQuotaCountTests
{
    private readonly FakeTimeProvider _clock = new();

    private RelayQuota Quota(double rate = 0, int burst = 0, int unfinished = 0) =>
        new(new RelayQuotaOptions { SubmitsPerSecond = rate, Burst = burst, MaxUnfinished = unfinished }, _clock);

    [Fact]
    public void Without_a_quota_everything_is_allowed()
    {
        var quota = Quota();
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Null(quota.TryTake("acme")));
    }

    [Fact]
    public void The_rate_allows_a_burst_then_one_create_per_interval_per_tenant()
    {
        var quota = Quota(rate: 2, burst: 3);
        for (var i = 0; i < 3; i++) Assert.Null(quota.TryTake("acme"));
        Assert.Equal(RelayRefusalKind.RateLimited, quota.TryTake("acme")?.Kind);
        Assert.Null(quota.TryTake("globex")); // another tenant has its own bucket
        _clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Null(quota.TryTake("acme"));
        Assert.Equal(RelayRefusalKind.RateLimited, quota.TryTake("acme")?.Kind);
    }

    [Fact]
    public void Unfinished_tasks_are_capped_until_one_is_released_and_a_refused_create_uses_up_no_rate()
    {
        var quota = Quota(rate: 1, burst: 2, unfinished: 1);
        Assert.Null(quota.TryTake("acme"));
        Assert.Equal(RelayRefusalKind.TooManyUnfinished, quota.TryTake("acme")?.Kind);
        Assert.Equal(RelayRefusalKind.TooManyUnfinished, quota.TryTake("acme")?.Kind);
        quota.Release("acme");
        Assert.Equal(0, quota.Unfinished("acme"));
        Assert.Null(quota.TryTake("acme")); // the second token was not spent by the refusals
        Assert.Equal(1, quota.Unfinished("acme"));
    }
}
