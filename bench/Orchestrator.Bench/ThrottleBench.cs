using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;
using Orchestrator.Providers;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Throttling;

namespace Orchestrator.Bench;

/// <summary>
/// Issue 4's figures: (1) how close to a provider's QPS limit an account runs, measured where the provider counts
/// (the simulator's true rolling window), with the number of limit answers; (2) the throttle actor's own cost:
/// permits per second it grants when no limit binds.
/// </summary>
public static class ThrottleBench
{
    public static async Task<int> RunAsync(double qps, int seconds, string dataDirectory)
    {
        var (ratio, minWindow, answers, peak) = await AtTheLimitAsync(qps, seconds, dataDirectory);
        var permitsPerSecond = await OverheadAsync(200_000);
        Console.WriteLine();
        Console.WriteLine("== Throttle benchmark ==");
        Console.WriteLine($"  machine cores                  {Environment.ProcessorCount}");
        Console.WriteLine($"  limit (configured = simulated) {qps} QPS over {seconds} s");
        Console.WriteLine($"  achieved / limit               {ratio:0.000} (mean), slowest 10 s window {minWindow:0.000}");
        Console.WriteLine($"  limit answers                  {answers}");
        Console.WriteLine($"  peak calls in a rolling second {peak}");
        Console.WriteLine($"  throttle overhead              {permitsPerSecond:N0} permits/s with no limit binding");
        Console.WriteLine($"BENCH_JSON {{\"cores\":{Environment.ProcessorCount},\"qps\":{qps},\"seconds\":{seconds},\"achievedRatio\":{ratio:0.000},\"slowestWindowRatio\":{minWindow:0.000},\"limitAnswers\":{answers},\"peakPerSecond\":{peak},\"permitsPerSecond\":{permitsPerSecond:0}}}");
        return answers == 0 ? 0 : 1;
    }

    private static async Task<(double Ratio, double MinWindow, long Answers, int Peak)> AtTheLimitAsync(double qps, int seconds, string dataDirectory)
    {
        var sim = SimulatorProgram.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
            new SimulatorOptions { ImageMinSeconds = 0, ImageMaxSeconds = 0, QueuedFraction = 0, QpsLimit = qps });
        await sim.StartAsync();
        var simulator = sim.Services.GetRequiredService<ProviderSimulator>();
        var options = new OrchestratorOptions
        {
            Storage = { ConnectionString = $"Data Source={Path.Combine(dataDirectory, "throttle.db")}" },
            Polling = { ImageFloorSeconds = 0.2, ImagePriorSeconds = 0.2 },
            Tasks = { PassivateAfterSeconds = 2 },
            AkkaLogLevel = "Warning",
        };
        options.Providers["simulator"] = new ProviderAccountOptions { Type = "simulator", BaseUrl = sim.Urls.First().TrimEnd('/') + "/", Qps = qps };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOrchestrator(options);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var orchestrator = host.Services.GetRequiredService<IOrchestrator>();
            await orchestrator.WhenReady;
            // Each task costs a submit and a poll: enough for the whole measured span plus a warm-up, queued at once.
            var tasks = (int)(qps * (seconds + 10) / 2) + 100;
            await Parallel.ForEachAsync(Enumerable.Range(0, tasks), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
                await orchestrator.SubmitAsync(new TaskSubmission { Provider = "simulator", Kind = "text-to-image", Model = "kling-v1-5", Prompt = $"t{i}" }, ct));
            var account = simulator.Account("dmxapi");
            while (account.ArrivalsPerSecond().Count < seconds + 6) await Task.Delay(500);
            // Seconds 5 .. 5 + seconds: after the warm-up, while the queue is still full.
            var perSecond = account.ArrivalsPerSecond().Skip(5).Take(seconds).ToList();
            var windows = Enumerable.Range(0, perSecond.Count - 9).Select(s => perSecond.Skip(s).Take(10).Sum() / 10.0 / qps).ToList();
            var stats = simulator.Stats("dmxapi");
            return (perSecond.Average() / qps, windows.Min(), stats.RateLimitAnswers, stats.PeakRequestsPerSecond);
        }
        finally
        {
            await host.StopAsync();
            await sim.StopAsync();
            await sim.DisposeAsync();
        }
    }

    /// <summary>Grants with the limit far away: what the actor itself costs per permit (request, grant, call finished).</summary>
    private static async Task<double> OverheadAsync(int permits)
    {
        using var system = ActorSystem.Create("throttle-bench", "akka.loglevel = WARNING");
        var account = new ProviderAccount("bench", ProviderTypes.All["simulator"], new ProviderAccountOptions { Qps = 1_000_000_000 },
            new Uri("http://127.0.0.1/"), null);
        var throttle = system.ActorOf(ProviderThrottle.Props(account));
        var done = new TaskCompletionSource<double>();
        system.ActorOf(Props.Create(() => new PermitDriver(throttle, permits, done)));
        return await done.Task;
    }

    private sealed class PermitDriver : ReceiveActor
    {
        public PermitDriver(IActorRef throttle, int permits, TaskCompletionSource<double> done)
        {
            var clock = Stopwatch.StartNew();
            var granted = 0;
            const int window = 512; // permits outstanding at once, as many tasks would ask together
            for (var i = 0; i < Math.Min(window, permits); i++) throttle.Tell(new RequestPermit("bench", $"t{i}", CallKind.Poll));
            Receive<PermitGranted>(p =>
            {
                throttle.Tell(new CallFinished("bench", p.PermitId));
                if (++granted == permits) done.TrySetResult(permits / clock.Elapsed.TotalSeconds);
                else if (granted + window <= permits) throttle.Tell(new RequestPermit("bench", $"t{granted + window}", CallKind.Poll));
            });
        }
    }
}
