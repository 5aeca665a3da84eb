using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Callbacks;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary><c>POST /v1/callbacks/{provider}/{taskId}</c> against forged, malformed and genuine bodies.</summary>
public sealed class CallbackEndpointTests() : ServerTest(new SimulatorOptions { ImageMinSeconds = 1, ImageMaxSeconds = 1.2 })
{
    // A late first poll: only a callback can end a task quickly.
    protected override string[] ServerArgs =>
    [
        "--Orchestrator:Polling:ImagePriorSeconds=600", "--Orchestrator:Polling:CapSeconds=600",
        $"--Orchestrator:Callbacks:SecretFile={Path.Combine(Dir.Path, "callback-secret")}",
    ];

    private string Token(string taskId) => Server.Services.GetRequiredService<CallbackTokens>().Token(taskId);

    private Task<HttpResponseMessage> PostAsync(string taskId, string? token, string body) =>
        Server.Http.PostAsync($"/v1/callbacks/simulator/{taskId}" + (token is null ? "" : $"?token={token}"),
            new StringContent(body, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_forged_or_missing_token_is_refused_with_401()
    {
        var id = await SubmitAsync();
        var genuine = Token(id);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(id, null, "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(id, genuine[..^2] + "AA", "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(TaskIds.New(), genuine, "{}")).StatusCode);
    }

    [Fact]
    public async Task A_malformed_body_is_a_400_naming_the_body()
    {
        var id = await SubmitAsync();
        var notJson = await PostAsync(id, Token(id), "<html>");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("body", await notJson.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(id, Token(id), """{"task_id": 5}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(id, Token(id), """{"hello": "world"}""")).StatusCode);
    }

    [Fact]
    public async Task A_genuine_callback_saying_the_task_ended_gets_it_verified_at_once()
    {
        var id = await SubmitAsync();
        var submitted = await Eventually.Until(() => Server.GetAsync(id), v => v.ProviderTaskId is not null, TimeSpan.FromSeconds(10), "the submit");
        var sim = Sim.Sim.Peek(submitted.ProviderTaskId!)!;
        await Eventually.Until(() => Task.FromResult(sim.EndedAt(Sim.Sim.Now)), ended => ended, TimeSpan.FromSeconds(10), "the provider to finish");

        var body = $$"""{"task_id":"{{submitted.ProviderTaskId}}","task_status":"succeed","task_status_msg":"","created_at":1,"updated_at":2}""";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(id, Token(id), body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(id, Token(id), body)).StatusCode); // a duplicate changes nothing

        var final = await Server.WaitForEndAsync(id, TimeSpan.FromSeconds(10));
        Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        Assert.Single(final.Results); // the result URLs came from the verification query, not the callback
        Assert.Equal(1, final.Polls);
        // A late callback for an ended task is accepted and ignored.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(id, Token(id), body)).StatusCode);
        Assert.Equal(1, (await Server.GetAsync(id)).Polls);
    }

    private Task<string> SubmitAsync() => Server.SubmitForIdAsync(Requests.Image());
}
