using Orchestrator.Simulator;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Storage;

/// <summary>
/// The live completion stream (SSE, webhooks, <c>CompletionsAsync</c>) reads the journal by tag, up to the highest
/// ordering without a gap; on PostgreSQL, where writers commit out of order, that bound must follow the writes closely.
/// </summary>
public sealed class PostgresCompletionLatencyTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private SimulatorServer _sim = null!;

    public async Task InitializeAsync()
    {
        _store = TestStores.Postgres();
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.3, ImageMaxSeconds = 1.5 });
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        _store.Dispose();
    }

    [PostgresFact]
    public async Task A_live_subscriber_hears_of_a_completion_a_fraction_of_a_second_after_the_task_ends()
    {
        const int tasks = 20;
        await using var server = await OrchestratorServer.StartAsync(_store, _sim.BaseUrl);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reader = Task.Run(async () =>
        {
            var delays = new List<TimeSpan>();
            await foreach (var c in server.Orchestrator.CompletionsAsync(0, timeout.Token))
            {
                delays.Add(DateTimeOffset.UtcNow - c.Task.CompletedAt!.Value);
                if (delays.Count == tasks) break;
            }
            return delays;
        });
        // Spread out, so that each completion arrives on a stream that has caught up.
        for (var i = 0; i < tasks; i++)
        {
            await server.SubmitForIdAsync(Requests.Image($"live {i}"));
            await Task.Delay(100);
        }

        var delays = (await reader).Order().ToList();
        var median = delays[tasks / 2];
        Assert.True(median < TimeSpan.FromMilliseconds(450),
            $"median {median.TotalMilliseconds:F0} ms from a task's end to its completion on the stream; all: {string.Join(", ", delays.Select(d => $"{d.TotalMilliseconds:F0}"))}");
    }
}
