using Orchestrator.Tests.Support;
using Orchestrator.Tests.Webhooks;

namespace Orchestrator.Tests.Cli;

/// <summary><c>webhooks</c> and its subcommands against <c>/v1/webhooks</c>, delivering to a real receiver.</summary>
[Collection(CliCollection.Name)]
public sealed class CliWebhookTests(CliServer cli)
{
    [Fact]
    public async Task Add_list_deliveries_replay_and_remove_an_endpoint()
    {
        var secret = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var receiver = await WebhookReceiver.StartAsync(secret);
        receiver.Answer = _ => (500, null);

        var added = await cli.RunAsync("webhooks", "add", receiver.Url, "--events", "task.succeeded,task.failed", "--secret", secret, "--json");
        Assert.True(added.ExitCode == 0, added.ToString());
        var endpoint = Assert.Single(added.JsonLines);
        var id = endpoint.GetProperty("id").GetString()!;
        Assert.Equal(secret, endpoint.GetProperty("secret").GetString());
        Assert.Equal(["task.succeeded", "task.failed"], endpoint.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        var listed = await cli.RunAsync("webhooks");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains(listed.OutLines, l => l.StartsWith(id) && l.Contains(receiver.Url) && l.Contains("enabled"));

        // A task that ends now is delivered, answered 500, and kept as pending.
        var taskId = await cli.Server.SubmitForIdAsync(Requests.Image("hooked"));
        var pending = await Eventually.Until(() => cli.RunAsync("webhooks", "deliveries", id), r => r.Out.Contains(taskId), TimeSpan.FromSeconds(60), "a pending delivery");
        Assert.True(pending.ExitCode == 0, pending.ToString());
        Assert.Contains(pending.OutLines, l => l.Contains(taskId) && l.Contains("pending") && l.Contains("500"));

        receiver.Answer = _ => (200, null);
        var replayed = await cli.RunAsync("webhooks", "replay", id);
        Assert.True(replayed.ExitCode == 0, replayed.ToString());
        Assert.Contains("replayed", replayed.Out);
        await WebhookTestServer.WaitForAllAsync(receiver, [taskId]);

        var removed = await cli.RunAsync("webhooks", "remove", id);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        var after = await cli.RunAsync("webhooks", "--json");
        Assert.DoesNotContain(Assert.Single(after.JsonLines).GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetString() == id);
        var again = await cli.RunAsync("webhooks", "remove", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("404", again.Error);
    }

    [Fact]
    public async Task Adding_a_bad_url_exits_1_and_names_the_field()
    {
        var run = await cli.RunAsync("webhooks", "add", "not a url");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("url:", run.Error);
    }
}
