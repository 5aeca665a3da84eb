using Microsoft.Extensions.Time.Testing;
using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Simulator;

/// <summary>A simulator with a database remembers its tasks across a restart, as a real provider does.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class SimulatorRestartTests
{
    [Fact]
    public async Task Tasks_outlive_a_restart_on_the_same_database_and_finish_on_their_planned_time()
    {
        using var dir = new TempDirectory();
        var options = SimulatorHarness.Options();
        options.ConnectionString = dir.SqliteConnectionString("simulator.db");
        var clock = new FakeTimeProvider(SimulatorHarness.Start);
        string klingId, chanjingId;
        long createdAt;
        await using (var before = await SimulatorHarness.StartAsync(options, clock))
        {
            var (_, created) = await before.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(2, "ext-1"));
            klingId = (string)created["data"]!["task_id"]!;
            createdAt = (long)created["data"]!["created_at"]!;
            chanjingId = await before.SubmitChanjingImageAsync(await before.TokenAsync());
            clock.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal("processing", (string)(await before.KlingAsync(HttpMethod.Get, $"/v1/images/generations/{klingId}")).Body["data"]!["task_status"]!);
        }

        clock.Advance(TimeSpan.FromSeconds(3)); // time passes while it is down
        await using var after = await SimulatorHarness.StartAsync(options, clock);
        foreach (var path in new[] { $"/v1/images/generations/{klingId}", "/v1/images/generations/ext-1" })
        {
            var (status, queried) = await after.KlingAsync(HttpMethod.Get, path);
            Assert.Equal(200, status);
            Assert.Equal((klingId, "processing", createdAt), ((string)queried["data"]!["task_id"]!, (string)queried["data"]!["task_status"]!, (long)queried["data"]!["created_at"]!));
        }
        // The same external id again is still a duplicate: the restart made no room for a second task.
        Assert.Equal((400, 1201), await CodeAsync(after.KlingAsync(HttpMethod.Post, "/v1/images/generations", SimulatorHarness.Image(2, "ext-1"))));

        clock.Advance(TimeSpan.FromSeconds(2)); // the planned end: 10 s after creation
        var (_, done) = await after.KlingAsync(HttpMethod.Get, $"/v1/images/generations/{klingId}");
        Assert.Equal("succeed", (string)done["data"]!["task_status"]!);
        var url = new Uri((string)done["data"]!["task_result"]!["images"]![1]!["url"]!);
        Assert.Equal(SampleMedia.Png, await after.Http.GetByteArrayAsync(url.PathAndQuery));

        var (_, chanjing) = await after.ChanjingAsync(HttpMethod.Get, $"/open/v1/ai_creation/task?unique_id={chanjingId}", token: await after.TokenAsync());
        Assert.Equal((0, "Success"), ((int)chanjing["code"]!, (string)chanjing["data"]!["progress_desc"]!));
        Assert.Equal(2, after.Sim.Stats().Tasks);
    }

    private static async Task<(int, int)> CodeAsync(Task<(int Status, System.Text.Json.Nodes.JsonObject Body)> call)
    {
        var (status, body) = await call;
        return (status, (int)body["code"]!);
    }
}
