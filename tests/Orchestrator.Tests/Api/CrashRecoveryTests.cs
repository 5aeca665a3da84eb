using System.Net.Http.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>The README's promise: kill -9 the service with tasks in flight, start it again, every task finishes, none is submitted twice.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task Kill_9_with_tasks_in_flight_then_restart_finishes_every_task_without_a_duplicate_submit()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 2, ImageMaxSeconds = 4 });
        var port = ServerProcess.FreePort();
        string[] args =
        [
            $"--Orchestrator:Storage:ConnectionString={dir.SqliteConnectionString()}",
            $"--Orchestrator:Providers:simulator:BaseUrl={sim.BaseUrl}",
            "--Orchestrator:Providers:simulator:Qps=20",
            "--Orchestrator:Polling:ImageFloorSeconds=0.5",
            "--Orchestrator:Polling:CapSeconds=1",
            "--Orchestrator:Polling:ImagePriorSeconds=0.5",
            "--Simulator:InProcess=false",
        ];
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
}
