using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Hosting;
using Orchestrator.Polling;
using Orchestrator.Server;
using Orchestrator.Simulator;
using Orchestrator.Tasks;

namespace Orchestrator.Bench;

/// <summary>What the polling scenario runs: the waves, the durations the simulator draws, the lag targets.</summary>
public sealed record PollingBenchOptions(int Warmup, int Tasks, double MinSeconds, double MaxSeconds, IReadOnlyList<double> LagTargets,
    bool Sequential, int? Seed, string? CsvDirectory = null);

/// <summary>
/// One task: polls it cost, its duration at the provider, how late we noticed its end, and how long after the provider
/// created it we recorded it submitted (our schedule counts from there, the provider's duration from creation); seconds.
/// </summary>
public sealed record PolledTask(int Queries, double DurationSeconds, double LagSeconds, double SubmitDelaySeconds)
{
    public double RelativeLag => LagSeconds / DurationSeconds;
}

/// <summary>One server's measured wave (after its warm-up wave) with the plan its tasks were given.</summary>
internal sealed record PollingRun(string Name, double LagTarget, bool Callbacks, int Measured, IReadOnlyList<PolledTask> Tasks,
    IReadOnlyList<PolledTask> Warmup, string? FirstProblem, PollPlan Plan, double Seconds, long CallbacksSent)
{
    public bool AllSucceeded => Tasks.Count == Measured;
    public double MeanQueries => Tasks.Count == 0 ? double.NaN : Tasks.Average(t => t.Queries);
    public double P95RelativeLag => BestFixedSchedule.Quantile([.. Tasks.Select(t => t.RelativeLag).Order()], 0.95);
    public double P95LagSeconds => BestFixedSchedule.Quantile([.. Tasks.Select(t => t.LagSeconds).Order()], 0.95);
    public double MedianLagSeconds => BestFixedSchedule.Quantile([.. Tasks.Select(t => t.LagSeconds).Order()], 0.5);
    public double[] Durations => [.. Tasks.Select(t => t.DurationSeconds)];
    public double P95SubmitDelaySeconds => BestFixedSchedule.Quantile([.. Tasks.Concat(Warmup).Select(t => t.SubmitDelaySeconds).Order()], 0.95);
}

/// <summary>
/// Issue 14's figures: image tasks of durations uniform in min–max s at a zero-latency simulator, each server warmed
/// up with a first wave (so the plan is learned), then a measured wave submitted all at once. Per lag target, mean
/// queries per task and the p95 of (detection lag / duration), to be set beside the best fixed geometric schedule for
/// the durations actually drawn (<see cref="BestFixedSchedule"/>); then once more with provider callbacks on.
/// Each run has its own simulator, server (the real HTTP host, in this process) and SQLite directory.
/// </summary>
public static class PollingBench
{
    public const string Account = "simulator";
    public const double Floor = 1;
    public const double Cap = 60;
    private static readonly TimeSpan WaveTimeout = TimeSpan.FromMinutes(10);
    private const string Model = "kling-v1-5";

    /// <summary>What every bench task asks for, as the learning keys it (account, kind, model).</summary>
    private static readonly GenerationRequest ImageRequest = new() { Provider = Account, Kind = GenerationKind.TextToImage, Model = Model, Prompt = "bench" };

    public static async Task<int> RunAsync(PollingBenchOptions o, string dataDirectory)
    {
        var clock = Stopwatch.StartNew();
        // The lag-target runs only wait on timers most of the time, so they can share the machine; the callback run
        // goes alone afterwards, since its figure (p95 lag ≤ 1 s) is the one a busy machine moves.
        var lagRuns = o.LagTargets.Select(l => (Name: string.Create(System.Globalization.CultureInfo.InvariantCulture, $"lag {l:0.0##}"), Lag: l)).ToList();
        var runs = new List<PollingRun>();
        if (o.Sequential)
            foreach (var (name, lag) in lagRuns) runs.Add(await RunOneAsync(name, lag, callbacks: false, o, dataDirectory));
        else
            runs.AddRange(await Task.WhenAll(lagRuns.Select(r => RunOneAsync(r.Name, r.Lag, callbacks: false, o, dataDirectory))));
        runs.Add(await RunOneAsync("callbacks", o.LagTargets.Contains(0.5) ? 0.5 : o.LagTargets[0], callbacks: true, o, dataDirectory));

        BenchReport.PrintPolling(o, runs, clock.Elapsed.TotalSeconds);
        return runs.All(r => r.AllSucceeded) ? 0 : 1;
    }

    private static async Task<PollingRun> RunOneAsync(string name, double lagTarget, bool callbacks, PollingBenchOptions o, string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, name.Replace(' ', '-'));
        Directory.CreateDirectory(directory);
        var sim = SimulatorProgram.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
            new SimulatorOptions { ImageMinSeconds = o.MinSeconds, ImageMaxSeconds = o.MaxSeconds, Seed = o.Seed });
        await sim.StartAsync();
        try
        {
            var simulator = sim.Services.GetRequiredService<ProviderSimulator>();
            // The callback URL must name the server's own port before the server starts: reserve a free one.
            var url = $"http://127.0.0.1:{(callbacks ? FreePort() : 0)}";
            var server = ServerProgram.Build(ServerArgs(url, sim.Urls.First().TrimEnd('/') + "/", directory, lagTarget, callbacks));
            await server.StartAsync();
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(server.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
                var orchestrator = server.Services.GetRequiredService<IOrchestrator>();
                await orchestrator.WhenReady;
                var learning = server.Services.GetRequiredService<PollLearning>();

                var warmup = await WaveAsync(http, orchestrator, o.Warmup, $"{name} warm-up");
                Console.WriteLine($"  [{name}] warm-up: {warmup.Views.Count}/{o.Warmup} ended in {warmup.Seconds:0} s");
                // The plan the measured tasks will be given: the learning caches it, and no duration arrives before the
                // first of them ends (at least min s later), so each of them takes this very plan. Asking now only does
                // a few milliseconds early what the first measured task would do. (With callbacks: the safety net.)
                var plan = callbacks ? learning.SafetyNetFor(ImageRequest) : learning.PlanFor(ImageRequest);
                var measured = await WaveAsync(http, orchestrator, o.Tasks, name);
                Console.WriteLine($"  [{name}] measured: {measured.Views.Count}/{o.Tasks} ended in {measured.Seconds:0} s");

                var problem = measured.FirstProblem ?? warmup.FirstProblem;
                var tasks = Figures(measured.Views, simulator, ref problem);
                var warmupTasks = Figures(warmup.Views, simulator, ref problem);
                if (o.CsvDirectory is { } csv) WriteCsv(Path.Combine(csv, $"{name.Replace(' ', '-')}.csv"), warmupTasks, tasks);
                return new PollingRun(name, lagTarget, callbacks, o.Tasks, tasks, warmupTasks, problem, plan, measured.Seconds, simulator.Stats().CallbacksSent);
            }
            finally
            {
                await server.StopAsync();
                await server.DisposeAsync();
            }
        }
        finally
        {
            await sim.StopAsync();
            await sim.DisposeAsync();
        }
    }

    private static List<PolledTask> Figures(List<TaskView> views, ProviderSimulator simulator, ref string? problem)
    {
        var tasks = new List<PolledTask>();
        foreach (var v in views)
        {
            if (v.Status != TaskLifecycle.Succeeded) { problem ??= $"task {v.Id} ended {v.Status}: {v.Error?.Code} {v.Error?.Message}"; continue; }
            var task = simulator.Peek(v.ProviderTaskId!)!;
            tasks.Add(new PolledTask(v.Polls, task.Duration.TotalSeconds, (v.CompletedAt!.Value - task.EndsAt).TotalSeconds,
                (v.SubmittedAt!.Value - task.CreatedAt).TotalSeconds));
        }
        return tasks;
    }

    /// <summary>Every task of both waves, for a closer look at a run (<c>--csv DIR</c>).</summary>
    private static void WriteCsv(string path, List<PolledTask> warmup, List<PolledTask> measured)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        File.WriteAllLines(path, ["wave,queries,duration_s,lag_s,submit_delay_s",
            .. warmup.Select(t => string.Create(inv, $"warmup,{t.Queries},{t.DurationSeconds:0.000},{t.LagSeconds:0.000},{t.SubmitDelaySeconds:0.000}")),
            .. measured.Select(t => string.Create(inv, $"measured,{t.Queries},{t.DurationSeconds:0.000},{t.LagSeconds:0.000},{t.SubmitDelaySeconds:0.000}"))]);
    }

    /// <summary>The real schedule (not the tests' fast one); a QPS so high the throttle never makes a poll wait.</summary>
    private static string[] ServerArgs(string url, string simulatorBaseUrl, string directory, double lagTarget, bool callbacks) =>
    [
        $"--Urls={url}",
        $"--Orchestrator:Storage:ConnectionString=Data Source={Path.Combine(directory, "journal.db")}",
        $"--Orchestrator:Providers:{Account}:Type=simulator",
        $"--Orchestrator:Providers:{Account}:BaseUrl={simulatorBaseUrl}",
        $"--Orchestrator:Providers:{Account}:Qps=500",
        "--Simulator:InProcess=false",
        $"--Orchestrator:Polling:LagTarget={lagTarget.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        "--Orchestrator:Polling:LagShare=0.95",
        "--Orchestrator:Polling:ImagePriorSeconds=10",
        "--Orchestrator:Polling:MinSamples=20",
        $"--Orchestrator:Polling:ImageFloorSeconds={Floor}",
        $"--Orchestrator:Polling:CapSeconds={Cap}",
        "--Orchestrator:Polling:Jitter=0.1",
        $"--Orchestrator:Results:Directory={Path.Combine(directory, "results")}",
        $"--Orchestrator:Callbacks:SecretFile={Path.Combine(directory, "callback-secret")}",
        $"--Orchestrator:PublicBaseUrl={(callbacks ? url : "")}",
        "--Orchestrator:AkkaLogLevel=Warning",
        "--Logging:LogLevel:Default=Warning",
    ];

    private sealed record Wave(List<TaskView> Views, double Seconds, string? FirstProblem);

    /// <summary>Submits <paramref name="n"/> image tasks over HTTP at once, then waits for every one to end.</summary>
    private static async Task<Wave> WaveAsync(HttpClient http, IOrchestrator orchestrator, int n, string name)
    {
        var clock = Stopwatch.StartNew();
        var waits = new Task<TaskView>?[n];
        string? problem = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var body = new { provider = Account, kind = "text-to-image", model = Model, prompt = $"{name} {i}" };
            using var response = await http.PostAsJsonAsync("/v1/tasks", body, ApiJson.Options, ct);
            if (!response.IsSuccessStatusCode) { Interlocked.CompareExchange(ref problem, $"submit {i}: HTTP {(int)response.StatusCode}", null); return; }
            var view = (await response.Content.ReadFromJsonAsync<TaskView>(ApiJson.Options, ct))!;
            waits[i] = orchestrator.WaitForCompletionAsync(view.Id, WaveTimeout, CancellationToken.None);
        });
        var pending = waits.OfType<Task<TaskView>>().ToList();
        var views = new List<TaskView>();
        foreach (var wait in pending)
        {
            try { views.Add(await wait); }
            catch (Exception ex) { problem ??= $"wait: {ex.GetType().Name}: {ex.Message}"; }
        }
        return new Wave(views, clock.Elapsed.TotalSeconds, problem);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
