using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Api;

/// <summary>
/// SIGTERM (a deploy, <c>systemctl stop</c>, <c>docker stop</c>): the server stops accepting with 503 and Retry-After,
/// finishes the journal writes under way, exits 0 within 10 s, and every task it accepted ends after the next start.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_refuses_new_work_with_503_exits_0_within_10_s_and_every_accepted_task_ends_after_a_restart()
    {
        using var store = TestStores.For(GetType());
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 2, ImageMaxSeconds = 4, QueuedFraction = 0 });
        var port = ServerProcess.FreePort();
        var args = ServerProcess.ArgsAgainst(store, sim.BaseUrl);

        var accepted = new List<string>();
        var refusals = new List<HttpResponseMessage>();
        int exitCode;
        TimeSpan exitedAfter;
        using (var server = await ServerProcess.StartAsync(port, args))
        {
            for (var i = 0; i < 20; i++) accepted.Add(await SubmitAsync(server, i) ?? throw new InvalidOperationException("refused before SIGTERM"));
            // Keep submitting while it shuts down: each answer is an acceptance (durable) or a refusal; nothing in between.
            using var stopSubmitting = new CancellationTokenSource();
            var submitter = Task.Run(async () =>
            {
                for (var i = 20; !stopSubmitting.IsCancellationRequested; i++)
                {
                    try
                    {
                        var response = await server.Http.PostAsJsonAsync("/v1/tasks", Requests.Image($"shutdown {i}"), OrchestratorServer.Json);
                        if (response.StatusCode == HttpStatusCode.Accepted) accepted.Add((await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
                        else refusals.Add(response);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return; } // no longer listening
                }
            });
            await Eventually.Until(() => Task.FromResult(sim.Sim.Stats().Submits), n => n >= 5, TimeSpan.FromSeconds(20), "submits to be under way");

            var clock = Stopwatch.StartNew();
            server.Terminate();
            exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(15));
            exitedAfter = clock.Elapsed;
            await stopSubmitting.CancelAsync();
            await submitter;
        }

        output.WriteLine($"exit code {exitCode} after {exitedAfter.TotalSeconds:0.00} s; {accepted.Count} accepted, {refusals.Count} refused with "
            + string.Join(", ", refusals.Select(r => $"{(int)r.StatusCode} Retry-After {r.Headers.RetryAfter}").Distinct()));
        Assert.Equal(0, exitCode);
        Assert.True(exitedAfter < TimeSpan.FromSeconds(10), $"exited after {exitedAfter.TotalSeconds:0.0} s");
        Assert.All(refusals, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
            Assert.NotNull(r.Headers.RetryAfter);
        });

        using var restarted = await ServerProcess.StartAsync(port, args);
        foreach (var id in accepted)
        {
            var final = await Eventually.Until(
                async () => (await restarted.Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json))!,
                v => v.Status.IsTerminal(), TimeSpan.FromSeconds(60), $"task {id} to end");
            Assert.Equal(TaskLifecycle.Succeeded, final.Status);
        }
        Assert.Equal(0, sim.Sim.Stats().DuplicateExternalIds);
    }

    private static async Task<string?> SubmitAsync(ServerProcess server, int i)
    {
        var response = await server.Http.PostAsJsonAsync("/v1/tasks", Requests.Image($"shutdown {i}"), OrchestratorServer.Json);
        return response.StatusCode == HttpStatusCode.Accepted ? (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id : null;
    }
}
