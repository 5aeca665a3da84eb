using System.Net.Http.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>The README's promise: kill -9 the service with tasks in flight, start it again, every task finishes, none is submitted twice.</summary>
public class CrashRecoveryTests
{
    [StoreFact]
    public async Task Kill_9_with_tasks_in_flight_then_restart_finishes_every_task_without_a_duplicate_submit()
    {
        using var store = TestStores.For(GetType());
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 2, ImageMaxSeconds = 4 });
        var port = ServerProcess.FreePort();
        var args = ServerProcess.ArgsAgainst(store, sim.BaseUrl);
        const int tasks = 40;

        var ids = new List<string>();
        using (var server = await ServerProcess.StartAsync(port, args))
        {
            // Three submits reach the provider whose answers never come back: the crash lands between
            // the provider creating the task and our journal recording its id.
            sim.Sim.Inject(SimulatedFault.AcceptThenHang, 3);
            for (var i = 0; i < tasks; i++)
            {
                var response = await server.Http.PostAsJsonAsync("/v1/tasks", Requests.Image($"crash {i}"), OrchestratorServer.Json);
                ids.Add((await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
            }
            await Eventually.Until(() => Task.FromResult(sim.Sim.Stats().Submits), n => n >= 15, TimeSpan.FromSeconds(20), "submits to be under way");
            server.KillHard();
        }
        var submittedBeforeCrash = sim.Sim.Stats().Submits;
        Assert.True(submittedBeforeCrash < tasks, "the crash should interrupt the submissions");

        using (var restarted = await ServerProcess.StartAsync(port, args))
        {
            foreach (var id in ids)
            {
                var final = await Eventually.Until(
                    async () => (await restarted.Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json))!,
                    v => v.Status.IsTerminal(), TimeSpan.FromSeconds(60), $"task {id} to end");
                Assert.Equal(TaskLifecycle.Succeeded, final.Status);
            }
        }

        var stats = sim.Sim.Stats();
        Assert.Equal(tasks, stats.Submits);
        Assert.Equal(0, stats.DuplicateExternalIds);
        Assert.Equal(tasks, stats.Tasks);
    }

    /// <summary>
    /// The README's demo exactly as a user runs it: no provider configured, so the simulator served in-process under
    /// <c>/simulator</c> dies with the service and must remember its tasks as a real provider would.
    /// </summary>
    [StoreFact]
    public async Task Kill_9_on_the_defaults_with_videos_in_flight_then_restart_finishes_every_video_with_the_in_process_simulator()
    {
        using var store = TestStores.For(GetType());
        var port = ServerProcess.FreePort();
        string[] args =
        [
            .. store.ServerArgs,
            $"--Orchestrator:Results:Directory={Path.Combine(store.Dir.Path, "results")}",
            // Shorter than the defaults only so the test is quick: videos of 4–6 s, polled within a second.
            "--Simulator:VideoMinSeconds=4",
            "--Simulator:VideoMaxSeconds=6",
            "--Orchestrator:Polling:VideoPriorSeconds=1",
            "--Orchestrator:Polling:VideoFloorSeconds=0.5",
            "--Orchestrator:Polling:CapSeconds=1",
        ];

        var ids = new List<string>();
        using (var server = await ServerProcess.StartAsync(port, args))
        {
            for (var i = 0; i < 5; i++)
            {
                var response = await server.Http.PostAsJsonAsync("/v1/tasks", Requests.Image($"a wave {i}", ("kind", "text-to-video"), ("model", "kling-v1-6")), OrchestratorServer.Json);
                response.EnsureSuccessStatusCode();
                ids.Add((await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
            }
            var views = await Eventually.Until(() => ViewsAsync(server.Http, ids), vs => vs.All(v => v.ProviderTaskId is not null),
                TimeSpan.FromSeconds(20), "every video to be submitted");
            Assert.DoesNotContain(views, v => v.Status.IsTerminal());
            server.KillHard();
        }

        using var restarted = await ServerProcess.StartAsync(port, args);
        foreach (var id in ids)
        {
            var final = await Eventually.Until(
                async () => (await restarted.Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json))!,
                v => v.Status.IsTerminal(), TimeSpan.FromSeconds(60), $"task {id} to end");
            Assert.True(final.Status == TaskLifecycle.Succeeded, $"task {id} ended {final.Status}: {final.Error?.Code} {final.Error?.Message}");
            Assert.NotNull(final.Results.Single().StoredUrl); // its file was downloaded from the simulator after the restart
        }
        var stats = (await restarted.Http.GetFromJsonAsync<SimulatorStats>("/simulator/_sim/stats"))!;
        Assert.Equal((5, 0, 0), (stats.Tasks, stats.Submits, stats.DuplicateExternalIds)); // all five remembered, none submitted again
    }

    private static async Task<List<TaskView>> ViewsAsync(HttpClient http, List<string> ids)
    {
        var views = new List<TaskView>();
        foreach (var id in ids) views.Add((await http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json))!);
        return views;
    }
}
