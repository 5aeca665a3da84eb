using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Telemetry;

namespace Orchestrator.Bench;

/// <summary>What one orchestrator run measured.</summary>
public sealed record ThroughputResult(
    int Tasks,
    int Accepted,
    int Succeeded,
    IReadOnlyDictionary<string, int> OtherOutcomes,
    string? FirstProblem,
    double AcceptSeconds,
    double EndToEndSeconds,
    long JournalWrites,
    long PeakRssBytes,
    SimulatorStats Simulator)
{
    public double AcceptPerSecond => Accepted / AcceptSeconds;
    public double TasksPerSecond => Succeeded / EndToEndSeconds;
    public double JournalEventsPerSecond => JournalWrites / EndToEndSeconds;
    public double WritesPerTask => Tasks == 0 ? 0 : (double)JournalWrites / Tasks;
    public bool AllSucceeded => Succeeded == Tasks;
}

/// <summary>
/// The whole product path on one machine: the orchestrator embedded in a generic host exactly as a host
/// service embeds it, talking HTTP to the provider simulator on loopback with zero generation time, so
/// what is measured is the orchestrator (journal, actors, throttle, HTTP client), not a provider.
/// </summary>
public static class ThroughputBench
{
    private static readonly TimeSpan CompletionTimeout = TimeSpan.FromMinutes(10);

    public static async Task<ThroughputResult> RunAsync(int tasks, int inFlight, string dataDirectory)
    {
        // Zero duration and no queued phase: every task is done by its first poll.
        // The simulator's request log is switched off through its own configuration, or it would log every call.
        var sim = SimulatorProgram.Build(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
            new SimulatorOptions { ImageMinSeconds = 0, ImageMaxSeconds = 0, QueuedFraction = 0 });
        await sim.StartAsync();
        try
        {
            var baseUrl = sim.Urls.First().TrimEnd('/') + "/";
            var simulator = sim.Services.GetRequiredService<ProviderSimulator>();
            using var host = BuildHost(baseUrl, dataDirectory);
            await host.StartAsync();
            try
            {
                var orchestrator = host.Services.GetRequiredService<IOrchestrator>();
                await orchestrator.WhenReady;
                return await MeasureAsync(orchestrator, simulator, tasks, inFlight);
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            await sim.StopAsync();
            await sim.DisposeAsync();
        }
    }

    private static IHost BuildHost(string simulatorBaseUrl, string dataDirectory)
    {
        var options = new OrchestratorOptions
        {
            Storage = { ConnectionString = $"Data Source={Path.Combine(dataDirectory, "bench.db")}" },
            // Polls find the task done at the first try; 0.2 s keeps the wait short without hammering the journal.
            Polling = { ImageFloorSeconds = 0.2, ImagePriorSeconds = 0.2 },
            // Ended actors leave memory soon, so peak RSS reflects live tasks, not 10,000 idle actors.
            Tasks = { PassivateAfterSeconds = 2 },
            AkkaLogLevel = "Warning",
        };
        // A QPS this high never makes a task wait: the bench measures the orchestrator, not the throttle.
        options.Providers["simulator"] = new ProviderAccountOptions { Type = "simulator", BaseUrl = simulatorBaseUrl, Qps = 1_000_000 };

        // No default configuration sources: an appsettings.json or environment variable must not change the figures.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOrchestrator(options);
        return builder.Build();
    }

    private static async Task<ThroughputResult> MeasureAsync(IOrchestrator orchestrator, ProviderSimulator simulator, int tasks, int inFlight)
    {
        // Sampled from the first submit: host and journal start-up are not what a sustained load costs.
        await using var rss = RssSampler.Start();
        var waits = new Task<TaskView>?[tasks];
        var problems = new ConcurrentQueue<string>();
        var accepted = 0;
        var writesBefore = OrchestratorMetrics.JournalWriteCount;
        var clock = Stopwatch.StartNew();

        // SubmitAsync returns once TaskAccepted is journaled: the accept rate is the durable intake rate.
        // The wait for the end starts right away but holds no slot, so intake is bounded by `inFlight` only.
        await Parallel.ForEachAsync(Enumerable.Range(0, tasks), new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (i, ct) =>
        {
            try
            {
                var (view, _) = await orchestrator.SubmitAsync(new TaskSubmission
                {
                    Provider = "simulator",
                    Kind = "text-to-image",
                    Model = "kling-v1-5",
                    Prompt = $"bench {i}",
                }, ct);
                Interlocked.Increment(ref accepted);
                waits[i] = orchestrator.WaitForCompletionAsync(view.Id, CompletionTimeout, CancellationToken.None);
            }
            catch (Exception ex)
            {
                problems.Enqueue($"submit {i}: {ex.GetType().Name}: {ex.Message}");
            }
        });
        var acceptSeconds = clock.Elapsed.TotalSeconds;

        var outcomes = new Dictionary<string, int>();
        var succeeded = 0;
        foreach (var wait in waits)
        {
            if (wait is null) continue;
            try
            {
                var view = await wait;
                if (view.Status == TaskLifecycle.Succeeded) { succeeded++; continue; }
                outcomes[view.Status.ToString()] = outcomes.GetValueOrDefault(view.Status.ToString()) + 1;
                problems.Enqueue($"task {view.Id} ended {view.Status}: {view.Error?.Code} {view.Error?.Message}");
            }
            catch (Exception ex)
            {
                outcomes[ex.GetType().Name] = outcomes.GetValueOrDefault(ex.GetType().Name) + 1;
                problems.Enqueue($"wait: {ex.GetType().Name}: {ex.Message}");
            }
        }
        var endToEndSeconds = clock.Elapsed.TotalSeconds;
        var writes = OrchestratorMetrics.JournalWriteCount - writesBefore;
        await rss.StopAsync();

        var notAccepted = tasks - accepted;
        if (notAccepted > 0) outcomes["NotAccepted"] = notAccepted;
        problems.TryPeek(out var first);
        return new ThroughputResult(tasks, accepted, succeeded, outcomes, first, acceptSeconds, endToEndSeconds, writes,
            rss.PeakBytes, simulator.Stats());
    }
}
