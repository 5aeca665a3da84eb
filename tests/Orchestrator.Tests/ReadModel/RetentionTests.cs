using System.Net.Http.Json;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.ReadModel;
using Orchestrator.ResultFiles;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ReadModel;

/// <summary>
/// Ended tasks past <c>Retention:EndedTaskDays</c> lose their journal events, read-model rows and stored result files;
/// tasks still running keep everything.
/// </summary>
public class RetentionTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private SimulatorServer _sim = null!;
    private OrchestratorOptions _options = null!;

    public async Task InitializeAsync()
    {
        _store = TestStores.For(GetType());
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            ImageMinSeconds = 0.2, ImageMaxSeconds = 0.3, VideoMinSeconds = 600, VideoMaxSeconds = 600, QueuedFraction = 0,
        });
        _options = TaskActors.Options(_store.ConnectionString, _sim.BaseUrl);
        _options.Storage = _store.Storage;
        _options.Results = new ResultOptions { Enabled = true, Directory = Path.Combine(_store.Dir.Path, "results") };
        // Two seconds after its end a task is past its time; the sweep looks every half second.
        _options.Retention = new RetentionOptions { EndedTaskDays = 2.0 / 86_400, SweepSeconds = 0.5, BatchSize = 2 };
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        _store.Dispose();
    }

    [StoreFact]
    public async Task Ended_tasks_past_their_time_are_removed_everywhere_and_running_ones_are_kept()
    {
        await using var actors = await TaskActors.StartAsync(_options);
        await actors.Readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));
        var running = await actors.SubmitAsync(TaskActors.Image("a long video") with { Kind = GenerationKind.TextToVideo, Model = "kling-v1-6" });
        var ended = new List<string>();
        for (var i = 0; i < 5; i++) ended.Add((await actors.SubmitAsync(TaskActors.Image($"p{i}"))).Id);
        foreach (var id in ended)
        {
            var view = await actors.WaitForEndAsync(id);
            Assert.Equal(TaskLifecycle.Succeeded, view.Status);
            Assert.NotNull(view.Results[0].StoredUrl);
        }
        var db = new ReadModelDatabase(_options.Storage);
        Assert.All(ended, id => Assert.True(Directory.Exists(Path.Combine(_options.Results.Directory, id)), "its result file was stored"));

        // Five tasks in steps of two: the sweep goes on until none is left.
        foreach (var id in ended)
            await Eventually.Until(() => actors.Reads.GetAsync(id, CancellationToken.None), v => v is null, TimeSpan.FromSeconds(30), $"task {id} to be removed");
        foreach (var id in ended)
        {
            Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM journal WHERE persistence_id = @k", TaskIds.PersistenceId(id)));
            Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM tags WHERE persistence_id = @k", TaskIds.PersistenceId(id)));
            Assert.False(Directory.Exists(Path.Combine(_options.Results.Directory, id)), "its stored result file is gone");
        }
        var stillRunning = await actors.Reads.GetAsync(running.Id, CancellationToken.None);
        Assert.False(stillRunning!.Status.IsTerminal());
        Assert.True(await CountAsync(db, "SELECT COUNT(*) FROM journal WHERE persistence_id = @k", TaskIds.PersistenceId(running.Id)) >= 1);
        Assert.Equal(1, await CountAsync(db, "SELECT COUNT(*) FROM orchestrator_tasks WHERE id = @k", running.Id));
    }

    [StoreFact]
    public async Task A_batch_whose_tasks_all_ended_past_their_time_is_removed_whole_and_a_running_batch_is_kept()
    {
        await using var server = await OrchestratorServer.StartAsync(_store, _sim.BaseUrl,
            $"--Orchestrator:Retention:EndedTaskDays={2.0 / 86_400}", "--Orchestrator:Retention:SweepSeconds=0.5", "--Orchestrator:Retention:BatchSize=2");
        static string Line(string kind, string model, int i) =>
            $$"""{"provider":"simulator","kind":"{{kind}}","model":"{{model}}","prompt":"line {{i}}"}""";
        async Task<string> UploadAsync(IEnumerable<string> lines)
        {
            var response = await server.Http.PostAsync("/v1/batches", new StringContent(string.Join("\n", lines) + "\n", System.Text.Encoding.UTF8, "application/x-ndjson"));
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("batchId").GetString()!;
        }
        var finished = await UploadAsync(Enumerable.Range(1, 5).Select(i => Line("text-to-image", "kling-v1-5", i)));
        var running = await UploadAsync([Line("text-to-image", "kling-v1-5", 1), Line("text-to-video", "kling-v1-6", 2)]);
        var ended = await Eventually.Until(() => server.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/batches/{finished}"),
            b => b.GetProperty("ended").GetInt32() == 5, TimeSpan.FromSeconds(60), "the first batch to end");
        var taskIds = (await server.Http.GetStringAsync($"/v1/batches/{finished}/results")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();
        Assert.Equal(5, taskIds.Count);

        // Five tasks in steps of two, then the batch itself.
        await Eventually.Until(async () => (await server.Http.GetAsync($"/v1/batches/{finished}")).StatusCode,
            code => code == System.Net.HttpStatusCode.NotFound, TimeSpan.FromSeconds(60), "the ended batch to be removed");
        var db = new ReadModelDatabase(_options.Storage);
        Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM journal WHERE persistence_id = @k", Orchestrator.Batches.BatchIds.PersistenceId(finished)));
        Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM orchestrator_tasks WHERE batch_id = @k", finished));
        foreach (var id in taskIds)
        {
            Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM journal WHERE persistence_id = @k", TaskIds.PersistenceId(id)));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Http.GetAsync($"/v1/tasks/{id}")).StatusCode);
        }
        // Its image ended long ago too, but the batch has a video still running: nothing of it goes.
        var kept = await server.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/batches/{running}");
        Assert.Equal(2, kept.GetProperty("total").GetInt32());
        Assert.Equal(2, await CountAsync(db, "SELECT COUNT(*) FROM orchestrator_tasks WHERE batch_id = @k", running));
    }

    private static async Task<long> CountAsync(ReadModelDatabase db, string sql, string key)
    {
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        TaskProjectionWriter.Add(cmd, "@k", key);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}

/// <summary><see cref="RetentionTests"/> on PostgreSQL.</summary>
[OnPostgres] public sealed class RetentionOnPostgresTests : RetentionTests;
