using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ResultFiles;

/// <summary>
/// A result URL that redirects: a provider (or whoever controls its CDN) must not be able to make the server fetch its
/// own API, or anything else inside, and store the answer as a task's result.
/// </summary>
public sealed class ResultRedirectTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 0.1, ImageMaxSeconds = 0.2 })
{
    protected override string[] ServerArgs => ["--Orchestrator:Results:MaxAttempts=1"];

    [Fact]
    public async Task A_result_url_redirecting_to_the_servers_own_api_is_not_followed_and_nothing_of_it_is_stored()
    {
        var secret = (string)(await Server.Http.GetFromJsonAsync<JsonObject>("/v1/webhooks/task-secret"))!["secret"]!;
        // The simulator is an allowed source (it is the configured provider), the server's own port is not.
        SimOptions.ResultRedirect = new Uri(Server.Http.BaseAddress!, "/v1/webhooks/task-secret").ToString();

        var id = await Server.SubmitForIdAsync(Requests.Image("a cat"));
        var view = await Server.WaitForEndAsync(id);

        Assert.NotEqual(TaskLifecycle.Succeeded, view.Status);
        Assert.Equal("result_download_failed", view.Error?.Code);
        Assert.All(view.Results, r => Assert.Null(r.StoredUrl));
        var stored = Directory.Exists(Path.Combine(Dir.Path, "results"))
            ? Directory.GetFiles(Path.Combine(Dir.Path, "results"), "*", SearchOption.AllDirectories) : [];
        Assert.DoesNotContain(stored, f => Encoding.UTF8.GetString(File.ReadAllBytes(f)).Contains(secret));
    }

    [Fact]
    public async Task A_result_url_redirecting_within_the_provider_is_followed()
    {
        var first = await Server.SubmitForIdAsync(Requests.Image("a cat"));
        var done = await Server.WaitForEndAsync(first);
        Assert.Equal(TaskLifecycle.Succeeded, done.Status);
        // The next task's file redirects to the first one's, on the simulator itself.
        SimOptions.ResultRedirect = done.Results[0].Url;

        var view = await Server.WaitForEndAsync(await Server.SubmitForIdAsync(Requests.Image("a dog")));

        Assert.Equal(TaskLifecycle.Succeeded, view.Status);
        Assert.NotNull(view.Results[0].StoredUrl);
    }
}
