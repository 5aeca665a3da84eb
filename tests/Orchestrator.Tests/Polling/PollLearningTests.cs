using Microsoft.Extensions.Time.Testing;
using Orchestrator.Hosting;
using Orchestrator.Polling;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Polling;

public sealed class PollLearningTests
{
    private static readonly GenerationRequest Image = new() { Provider = "simulator", Kind = GenerationKind.TextToImage, Model = "kling-v1-5", Prompt = "p" };
    private static readonly GenerationRequest Video = new() { Provider = "simulator", Kind = GenerationKind.TextToVideo, Model = "kling-v1-6", Prompt = "p" };

    private readonly FakeTimeProvider _clock = new();
    private readonly OrchestratorOptions _options = new();

    [Fact]
    public void Until_enough_tasks_ended_the_prior_per_kind_applies()
    {
        var learning = new PollLearning(_options, _clock);
        Assert.Equal(new PollPlan(10, 1.5, 1, 60), learning.PlanFor(Image));
        Assert.Equal(new PollPlan(60, 1.5, 3, 60), learning.PlanFor(Video));
        _options.Providers["simulator"] = new ProviderAccountOptions { ImagePriorSeconds = 4 };
        Assert.Equal(4, learning.PlanFor(Image).FirstSeconds);
    }

    [Fact]
    public void Learned_durations_replace_the_prior_per_account_kind_and_model()
    {
        var learning = new PollLearning(_options, _clock);
        var rng = new Random(3);
        for (var i = 0; i < 40; i++) learning.RecordDuration(Image, 30 + 10 * rng.NextDouble());

        var plan = learning.PlanFor(Image);
        Assert.Equal(40, plan.Samples);
        Assert.InRange(plan.FirstSeconds, 20, 40); // nothing ends before 30 s: no poll is spent earlier
        Assert.Equal(new PollPlan(60, 1.5, 3, 60), learning.PlanFor(Video)); // videos have learned nothing
        Assert.Equal(new PollPlan(10, 1.5, 1, 60), learning.PlanFor(Image with { Model = "kling-v2" }));
    }

    [Fact]
    public void A_new_account_much_faster_than_its_prior_polls_near_its_durations_within_five_tasks()
    {
        _options.Providers["simulator"] = new ProviderAccountOptions { ImagePriorSeconds = 60 };
        var learning = new PollLearning(_options, _clock);
        var firsts = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            learning.RecordDuration(Image, 2);
            firsts.Add(learning.PlanFor(Image).FirstSeconds);
        }
        Assert.True(firsts[0] < 60, $"the first poll stays at the prior after a task: {firsts[0]} s");
        Assert.True(firsts.SequenceEqual(firsts.OrderDescending()), $"first polls: {string.Join(", ", firsts)}");
        Assert.InRange(firsts[^1], 2, 4); // within twice the 2 s the tasks take, instead of 60 s
    }

    [Fact]
    public void A_new_account_much_slower_than_its_prior_moves_its_first_poll_out_within_five_tasks()
    {
        var learning = new PollLearning(_options, _clock); // image prior 10 s
        for (var i = 0; i < 5; i++) learning.RecordDuration(Image, 300);
        Assert.InRange(learning.PlanFor(Image).FirstSeconds, 150, 300); // instead of polling from 10 s on
        Assert.InRange(learning.SafetyNetFor(Image).FirstSeconds, 200, 3 * 300); // callbacks: out from the prior's 30 s too
    }

    [Fact]
    public void A_plan_follows_drift_but_is_searched_again_at_most_every_few_seconds()
    {
        var learning = new PollLearning(_options, _clock);
        for (var i = 0; i < 40; i++) learning.RecordDuration(Image, 30);
        var before = learning.PlanFor(Image);
        for (var i = 0; i < 256; i++) learning.RecordDuration(Image, 5);
        Assert.Same(before, learning.PlanFor(Image));
        _clock.Advance(PollLearning.ReplanEvery);
        Assert.True(learning.PlanFor(Image).FirstSeconds < before.FirstSeconds / 2);
    }

    [Fact]
    public void With_callbacks_the_polls_start_after_almost_every_task_has_ended()
    {
        var learning = new PollLearning(_options, _clock);
        Assert.Equal(30, learning.SafetyNetFor(Image).FirstSeconds);
        for (var i = 0; i < 100; i++) learning.RecordDuration(Image, 5 + i * 0.5);
        Assert.True(learning.SafetyNetFor(Image).FirstSeconds >= 1.5 * 54);
    }

    [Fact]
    public void Account_figures_give_queries_per_task_and_detection_lag_median_and_p95()
    {
        var learning = new PollLearning(_options, _clock);
        for (var i = 1; i <= 100; i++) learning.RecordFinished("simulator", i % 4 + 1, TimeSpan.FromMilliseconds(i * 10));
        var stats = learning.StatsFor("simulator");
        Assert.Equal(100, stats.FinishedTasks);
        Assert.Equal(2.5, stats.QueriesPerTaskMean, 6);
        Assert.Equal(0.5, stats.DetectionLagMedianSeconds!.Value, 6);
        Assert.Equal(0.95, stats.DetectionLagP95Seconds!.Value, 6);
        Assert.Equal(PollingStats.None, learning.StatsFor("other") with { Plans = PollingStats.None.Plans });
    }
}
