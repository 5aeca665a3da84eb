using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>The server with its built-in simulator (the default setup): its schedule fits the simulator from the first task.</summary>
public sealed class InProcessSimulatorTests
{
    [Fact]
    public async Task The_simulator_accounts_first_poll_comes_from_the_simulators_durations_unless_the_account_sets_its_own()
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        // The test server's general prior is 0.2 s; the simulator's images take 3–5 s, so the first poll is due near 3.1 s
        // (the 5% quantile the planner aims a first poll at). Videos keep the account's own prior.
        await using var server = await OrchestratorServer.StartAsync(dir.SqliteConnectionString(), simulatorBaseUrl: "",
            $"--Urls=http://127.0.0.1:{port}", "--Simulator:InProcess=true",
            "--Simulator:ImageMinSeconds=3", "--Simulator:ImageMaxSeconds=5",
            "--Orchestrator:Providers:simulator:VideoPriorSeconds=7");

        var image = await FirstPollAfterSubmitAsync(server, Requests.Image("first poll"));
        var video = await FirstPollAfterSubmitAsync(server, new Dictionary<string, object?>
        {
            ["provider"] = "simulator", ["kind"] = "text-to-video", ["model"] = "kling-v1-6", ["prompt"] = "first poll",
        });

        // ±10% is each task's jitter.
        Assert.InRange(image, 3.1 * 0.9 - 0.05, 3.1 * 1.1 + 0.05);
        Assert.InRange(video, 7 * 0.9 - 0.05, 7 * 1.1 + 0.05);
    }

    /// <summary>Seconds from the task's submission to its first planned poll.</summary>
    private static async Task<double> FirstPollAfterSubmitAsync(OrchestratorServer server, Dictionary<string, object?> request)
    {
        var id = await server.SubmitForIdAsync(request);
        var view = await Eventually.Until(() => server.GetAsync(id), v => v.SubmittedAt is not null && v.NextPollAt is not null,
            TimeSpan.FromSeconds(20), $"task {id} to be submitted");
        Assert.Equal(TaskLifecycle.Submitted, view.Status);
        return (view.NextPollAt!.Value - view.SubmittedAt!.Value).TotalSeconds;
    }
}
