using Orchestrator.Hosting;
using Orchestrator.Providers;
using Orchestrator.Tasks;
using Orchestrator.Webhooks;

namespace Orchestrator.Tests.Webhooks;

/// <summary>A task's own <c>webhookUrl</c>: checked like a registered endpoint's, journaled with the request, part of idempotency.</summary>
public sealed class TaskWebhookUrlTests
{
    private static readonly ProviderDirectory Providers = new(new OrchestratorOptions
    {
        Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", BaseUrl = "http://127.0.0.1:1/" } },
    });

    private static TaskSubmission Image(string? webhookUrl) =>
        new() { Provider = "simulator", Kind = "text-to-image", Model = "kling-v1-5", Prompt = "a lantern", WebhookUrl = webhookUrl };

    [Fact]
    public void Internal_targets_are_refused_naming_webhookUrl_unless_the_policy_allows_them()
    {
        var strict = new TaskValidator(Providers);
        Assert.Contains(strict.Validate(Image("http://localhost:9000/cb")).Errors, e => e.Field == "webhookUrl");
        Assert.Contains(strict.Validate(Image("mailto:ops@example.com")).Errors, e => e.Field == "webhookUrl");
        Assert.Equal("https://hooks.example.com/cb", strict.Validate(Image("https://hooks.example.com/cb")).Request!.WebhookUrl);

        var open = new TaskValidator(Providers, new WebhookOptions { AllowPrivateTargets = true });
        Assert.Equal("http://localhost:9000/cb", open.Validate(Image("http://localhost:9000/cb")).Request!.WebhookUrl);
    }

    [Fact]
    public void A_reused_idempotency_key_with_another_webhookUrl_is_another_request()
    {
        var validator = new TaskValidator(Providers);
        var a = validator.Validate(Image("https://a.example.com/cb")).Request!;
        var b = validator.Validate(Image("https://b.example.com/cb")).Request!;
        Assert.False(a.SameAs(b));
        Assert.True(a.SameAs(a with { }));
    }

    [Fact]
    public void The_task_view_carries_it_so_the_completion_does()
    {
        var request = new TaskValidator(Providers).Validate(Image("https://a.example.com/cb")).Request!;
        var state = TaskState.Empty.Apply(new TaskAccepted("t1", request, DateTimeOffset.UnixEpoch));
        Assert.Equal("https://a.example.com/cb", TaskView.From(state).WebhookUrl);
    }
}
