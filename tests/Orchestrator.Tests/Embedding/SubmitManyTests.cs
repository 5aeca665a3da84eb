using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Embedding;

/// <summary>Measures this process's memory: runs alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "Memory";
}

[Collection(MemoryCollection.Name)]
public sealed class SubmitManyTests
{
    [Fact]
    public async Task Submitting_ten_thousand_requests_as_a_stream_stays_within_bounded_memory_and_answers_each_in_order()
    {
        using var dir = new TempDirectory();
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 5, ImageMaxSeconds = 5 });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOrchestrator(new OrchestratorOptions
        {
            Storage = { ConnectionString = dir.SqliteConnectionString() },
            // A slow account: almost everything waits in its batches, as a real backlog would.
            Providers = { ["simulator"] = new ProviderAccountOptions { Type = "simulator", BaseUrl = sim.BaseUrl, Qps = 5 } },
            Results = { Directory = Path.Combine(dir.Path, "results") },
        });
        using var host = builder.Build();
        await host.StartAsync();
        var orchestrator = host.Services.GetRequiredService<IOrchestrator>();
        await orchestrator.WhenReady;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var accepted = 0;
        var rejected = 0;
        var next = 0;
        TaskView? last = null;
        await foreach (var result in orchestrator.SubmitManyAsync(Requests(10_000)))
        {
            Assert.Equal(next++, result.Index);
            Assert.Equal(result.Index % 1000 != 0, result.Accepted);
            if (result.Accepted) { accepted++; last = result.Task; } else rejected++;
            if (result.Index % 997 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        }

        Assert.Equal(9_990, accepted);
        Assert.Equal(10, rejected); // every 1,000th request asks for 99 images
        Assert.True(peak < 64 * 1024 * 1024, $"managed memory grew by {peak / 1024 / 1024} MB while streaming");
        // The last one waits in its batch behind thousands of others, and answers from there.
        var queued = await orchestrator.GetAsync(last!.Id);
        Assert.Equal(TaskLifecycle.Accepted, queued!.Status);
        Assert.Equal(last.BatchId, queued.BatchId);
        await host.StopAsync();
    }

    private static async IAsyncEnumerable<TaskSubmission> Requests(int n, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var i = 0; i < n; i++)
        {
            if (i % 100 == 0) await Task.Yield();
            yield return new TaskSubmission
            {
                Provider = "simulator", Kind = "text-to-image", Model = "kling-v1-5", Prompt = $"request {i}", Count = i % 1000 == 0 ? 99 : 1,
            };
        }
    }
}
