using Orchestrator.Webhooks;

namespace Orchestrator.Tests.Webhooks;

/// <summary>What happens after each attempt: 2xx arrives, 410 disables, failures follow the schedule with jitter, 429/503 wait for Retry-After.</summary>
public sealed class DeliveryDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetryPolicy Default = RetryPolicy.From(new WebhookOptions());

    private static DeliveryDecision Decide(AttemptOutcome o, int step, double random = 0.5, bool mayDisable = true, RetryPolicy? policy = null) =>
        DeliveryDecider.Decide(o, step, policy ?? Default, mayDisable, random, Now);

    [Theory]
    [InlineData(200)]
    [InlineData(202)]
    [InlineData(204)]
    [InlineData(299)]
    public void Any_2xx_is_delivered(int status) => Assert.IsType<DeliveryDecision.Delivered>(Decide(new AttemptOutcome(status), 1));

    [Fact]
    public void The_default_schedule_is_the_issues_and_the_middle_of_the_jitter_is_exact()
    {
        Assert.Equal([0, 5, 300, 1800, 7200, 18000, 36000, 36000], new WebhookOptions().EffectiveRetrySchedule);
        double[] expected = [5, 300, 1800, 7200, 18000, 36000, 36000];
        for (var step = 1; step <= 7; step++)
            Assert.Equal(new DeliveryDecision.RetryAt(Now + TimeSpan.FromSeconds(expected[step - 1])), Decide(new AttemptOutcome(500), step));
    }

    [Fact]
    public void After_the_eighth_attempt_it_gives_up()
    {
        Assert.IsType<DeliveryDecision.RetryAt>(Decide(new AttemptOutcome(500), 7));
        Assert.IsType<DeliveryDecision.GiveUp>(Decide(new AttemptOutcome(500), 8));
        Assert.IsType<DeliveryDecision.GiveUp>(Decide(AttemptOutcome.Failed("timeout"), 8));
    }

    [Theory]
    [InlineData(0.0, 4.5)]
    [InlineData(0.999999, 5.5)]
    [InlineData(0.25, 4.75)]
    public void Jitter_spreads_a_delay_by_at_most_ten_percent(double random, double seconds)
    {
        var at = Assert.IsType<DeliveryDecision.RetryAt>(Decide(new AttemptOutcome(500), 1, random)).At;
        Assert.Equal(seconds, (at - Now).TotalSeconds, 3);
    }

    [Fact]
    public void Timeouts_connection_faults_redirects_and_4xx_are_retried()
    {
        Assert.IsType<DeliveryDecision.RetryAt>(Decide(AttemptOutcome.Failed("timeout"), 1));
        Assert.IsType<DeliveryDecision.RetryAt>(Decide(AttemptOutcome.Failed("connection failed (ConnectionError)"), 1));
        Assert.IsType<DeliveryDecision.RetryAt>(Decide(new AttemptOutcome(302), 1));
        Assert.IsType<DeliveryDecision.RetryAt>(Decide(new AttemptOutcome(404), 1));
    }

    [Fact]
    public void Gone_disables_a_registered_endpoint_and_ends_a_per_task_delivery()
    {
        Assert.Equal(new DeliveryDecision.DisableEndpoint("410 Gone"), Decide(new AttemptOutcome(410), 1));
        Assert.IsType<DeliveryDecision.GiveUp>(Decide(new AttemptOutcome(410), 1, mayDisable: false));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void Too_many_requests_and_unavailable_wait_at_least_Retry_After(int status)
    {
        var longer = Assert.IsType<DeliveryDecision.RetryAt>(Decide(new AttemptOutcome(status, TimeSpan.FromSeconds(120)), 1));
        Assert.Equal(Now + TimeSpan.FromSeconds(120), longer.At);
        // A shorter Retry-After does not make the schedule's wait shorter.
        var shorter = Assert.IsType<DeliveryDecision.RetryAt>(Decide(new AttemptOutcome(status, TimeSpan.FromSeconds(1)), 2));
        Assert.Equal(Now + TimeSpan.FromSeconds(300), shorter.At);
    }

    [Fact]
    public void Retry_After_on_other_statuses_is_ignored_and_an_absurd_one_is_capped()
    {
        Assert.Equal(Now + TimeSpan.FromSeconds(5), Assert.IsType<DeliveryDecision.RetryAt>(Decide(new AttemptOutcome(500, TimeSpan.FromHours(1)), 1)).At);
        var capped = Assert.IsType<DeliveryDecision.RetryAt>(Decide(new AttemptOutcome(429, TimeSpan.FromDays(365)), 1));
        Assert.Equal(Now + TimeSpan.FromHours(10), capped.At);
        var shortSchedule = new RetryPolicy([0, 0.2, 0.2], 0);
        Assert.Equal(Now + TimeSpan.FromSeconds(60), Assert.IsType<DeliveryDecision.RetryAt>(Decide(new AttemptOutcome(503, TimeSpan.FromDays(1)), 1, policy: shortSchedule)).At);
    }

    [Fact]
    public void A_one_entry_schedule_gives_up_after_the_first_attempt()
    {
        var once = new RetryPolicy([0], 0.1);
        Assert.IsType<DeliveryDecision.GiveUp>(Decide(new AttemptOutcome(500), 1, policy: once));
    }
}
