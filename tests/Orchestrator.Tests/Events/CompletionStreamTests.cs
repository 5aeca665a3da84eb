using System.Net.Http.Json;
using Orchestrator.Events;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Events;

/// <summary>A subscriber that must learn of every finished task exactly once, across its own restarts and ours.</summary>
public class CompletionStreamTests : IAsyncLifetime
{
    private readonly TestStore _store;
    private SimulatorServer _sim = null!;

    public CompletionStreamTests() => _store = TestStores.For(GetType());

    public async Task InitializeAsync() =>
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.3, ImageMaxSeconds = 1.5, FailureRate = 0.2 });

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        _store.Dispose();
    }

    [StoreFact]
    public async Task A_subscriber_that_stops_halfway_and_resumes_from_its_offset_sees_every_completion_once()
    {
        await using var server = await OrchestratorServer.StartAsync(_store, _sim.BaseUrl);
        var ids = await SubmitAsync(server, 20, "half");

        var first = await ReadAsync(server, fromOffset: 0, count: 10);
        var second = await ReadAsync(server, fromOffset: first[^1].Offset, count: 10);

        var all = first.Concat(second).ToList();
        Assert.Equal(ids.Order(), all.Select(c => c.Task.Id).Order());
        Assert.Equal(20, all.Select(c => c.EventId).Distinct().Count());
        Assert.True(all.Zip(all.Skip(1)).All(p => p.Item1.Offset < p.Item2.Offset), "offsets grow along the stream");
        Assert.All(all, c => Assert.True(c.Task.Status.IsTerminal()));
        Assert.All(all, c => Assert.Equal(TaskCompletion.TypeFor(c.Task.Status), c.Type));
        Assert.Contains(all, c => c.Task.Status == TaskLifecycle.Succeeded && c.Task.Results.Count > 0);
    }

    [StoreFact]
    public async Task Reading_again_from_the_start_repeats_the_same_event_ids_so_duplicates_can_be_dropped()
    {
        await using var server = await OrchestratorServer.StartAsync(_store, _sim.BaseUrl);
        await SubmitAsync(server, 5, "again");
        var once = await ReadAsync(server, 0, 5);
        var twice = await ReadAsync(server, 0, 5);
        Assert.Equal(once.Select(c => (c.EventId, c.Offset)), twice.Select(c => (c.EventId, c.Offset)));
    }

    [StoreFact]
    public async Task Resuming_after_a_restart_of_the_server_misses_nothing()
    {
        List<string> ids;
        long offset;
        await using (var server = await OrchestratorServer.StartAsync(_store, _sim.BaseUrl))
        {
            ids = await SubmitAsync(server, 12, "before");
            offset = (await ReadAsync(server, 0, 4))[^1].Offset;
            // Stops with tasks still in flight: they resume in the next process.
        }
        await using (var server = await OrchestratorServer.StartAsync(_store, _sim.BaseUrl))
        {
            ids.AddRange(await SubmitAsync(server, 4, "after"));
            var before = (await ReadAsync(server, 0, 4)).Select(c => c.EventId).ToList();
            var rest = await ReadAsync(server, offset, 12);
            Assert.Empty(rest.Select(c => c.EventId).Intersect(before));
            Assert.Equal(ids.Order(), before.Select(e => e.Split('.')[0]).Concat(rest.Select(c => c.Task.Id)).Order());
        }
    }

    private static async Task<List<string>> SubmitAsync(OrchestratorServer server, int n, string prompt)
    {
        var ids = new List<string>();
        for (var i = 0; i < n; i++)
        {
            ids.Add(await server.SubmitForIdAsync(Requests.Image($"{prompt} {i}")));
        }
        return ids;
    }

    /// <summary>Reads <paramref name="count"/> completions after <paramref name="fromOffset"/>, then stops, as a subscriber that goes away.</summary>
    private static async Task<List<TaskCompletion>> ReadAsync(OrchestratorServer server, long fromOffset, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var got = new List<TaskCompletion>();
        await foreach (var c in server.Orchestrator.CompletionsAsync(fromOffset, timeout.Token))
        {
            got.Add(c);
            if (got.Count == count) break;
        }
        return got;
    }
}
