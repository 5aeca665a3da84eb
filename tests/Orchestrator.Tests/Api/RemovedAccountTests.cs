using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>
/// An account removed from the configuration while it has unfinished tasks: after a restart those tasks wait (no crash
/// loop), say why, are listed under the missing account, still meet their deadline, and resume once it is back.
/// </summary>
public sealed class RemovedAccountTests
{
    [Fact]
    public async Task Tasks_of_a_removed_account_wait_saying_why_meet_their_deadline_and_resume_when_it_is_back()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { VideoMinSeconds = 20, VideoMaxSeconds = 20, QueuedFraction = 0 });
        var db = dir.SqliteConnectionString();
        string[] second = ["--Orchestrator:Providers:second:Type=simulator", $"--Orchestrator:Providers:second:BaseUrl={sim.BaseUrl}"];
        object Video(string prompt, int deadline) => Requests.Image(prompt, ("provider", "second"), ("kind", "text-to-video"), ("model", "kling-v1-6"),
            ("deadlineSeconds", deadline));

        string shortLived, longLived;
        await using (var withAccount = await OrchestratorServer.StartAsync(db, sim.BaseUrl, second))
        {
            shortLived = await withAccount.SubmitForIdAsync(Video("ends by its deadline", 10));
            longLived = await withAccount.SubmitForIdAsync(Video("resumes later", 600));
            foreach (var id in new[] { shortLived, longLived })
                await Eventually.Until(() => withAccount.GetAsync(id), v => v.ProviderTaskId is not null, TimeSpan.FromSeconds(10), "submitted");
        }

        await using (var without = await OrchestratorServer.StartAsync(db, sim.BaseUrl))
        {
            var waiting = await without.GetAsync(longLived);
            Assert.False(waiting.Status.IsTerminal());
            Assert.Equal("account second is not configured", waiting.WaitingFor);
            var providers = (await without.Http.GetFromJsonAsync<JsonObject>("/v1/providers"))!["accounts"]!.AsArray();
            var missing = providers.Single(a => (string)a!["account"]! == "second")!;
            Assert.False((bool)missing["enabled"]!);
            Assert.Equal(2, (int)missing["unfinishedTasks"]!);
            Assert.Contains("not configured", (string)missing["disabledReason"]!);

            var timedOut = await without.WaitForEndAsync(shortLived, TimeSpan.FromSeconds(20));
            Assert.Equal(TaskLifecycle.TimedOut, timedOut.Status);
        }

        await using var back = await OrchestratorServer.StartAsync(db, sim.BaseUrl, second);
        var done = await back.WaitForEndAsync(longLived, TimeSpan.FromSeconds(30));
        Assert.Equal(TaskLifecycle.Succeeded, done.Status);
        Assert.Null(done.WaitingFor);
        Assert.Equal(2, sim.Sim.Stats().Submits); // waiting, restarting and resuming submitted nothing twice
    }
}
