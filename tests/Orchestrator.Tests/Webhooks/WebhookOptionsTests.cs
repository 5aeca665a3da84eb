using Microsoft.Extensions.Configuration;
using Orchestrator.Hosting;
using Orchestrator.Webhooks;

namespace Orchestrator.Tests.Webhooks;

/// <summary>Configuration keys under <c>Orchestrator:Webhooks</c>.</summary>
public sealed class WebhookOptionsTests
{
    private static OrchestratorOptions Bind(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build()
            .GetSection("Orchestrator").Get<OrchestratorOptions>() ?? new OrchestratorOptions();

    [Fact]
    public void A_configured_schedule_replaces_the_default_instead_of_appending_to_it()
    {
        var o = Bind(("Orchestrator:Webhooks:RetryScheduleSeconds:0", "0"), ("Orchestrator:Webhooks:RetryScheduleSeconds:1", "0.5"), ("Orchestrator:Webhooks:RetryScheduleSeconds:2", "2"));
        Assert.Equal([0, 0.5, 2], o.Webhooks.EffectiveRetrySchedule);
        Assert.Equal(WebhookOptions.DefaultRetryScheduleSeconds, Bind().Webhooks.EffectiveRetrySchedule);
    }

    [Fact]
    public void Defaults_are_the_issues()
    {
        var o = Bind().Webhooks;
        Assert.False(o.AllowPrivateTargets);
        Assert.Equal((0.1, 15.0, 8), (o.Jitter, o.TimeoutSeconds, o.MaxInFlightPerEndpoint));
        Assert.Empty(o.Problems());
    }

    [Fact]
    public void Bad_settings_are_named_and_a_bad_secret_is_never_echoed()
    {
        var o = new WebhookOptions { Jitter = 1.5, TimeoutSeconds = 0, TaskWebhookSecret = "whsec_tooshort", RetryScheduleSeconds = [0, -1] };
        var problems = string.Join("\n", o.Problems());
        Assert.Contains("Orchestrator:Webhooks:Jitter", problems);
        Assert.Contains("Orchestrator:Webhooks:TimeoutSeconds", problems);
        Assert.Contains("Orchestrator:Webhooks:RetryScheduleSeconds", problems);
        Assert.Contains("Orchestrator:Webhooks:TaskWebhookSecret", problems);
        Assert.DoesNotContain("tooshort", problems);
    }
}
