using System.Diagnostics;
using System.Net;
using System.Runtime;
using Orchestrator.Hosting;

namespace Orchestrator.Bench;

/// <summary>What the process held once settled: resident set, managed heap, memory the GC keeps committed.</summary>
public sealed record SettledMemory(int Ended, long RssBytes, long ManagedBytes, long GcCommittedBytes);

/// <summary>
/// Issue 20, memory against history: image tasks run to their end through the embedded orchestrator (this process, so
/// a full, compacting, decommitting collection can be forced before reading), against a simulator in a child process (a
/// simulator remembers every task, which must not count here). Memory is read after the first twentieth of the tasks
/// (10,000 of 200,000) and again after all of them, each time once ended tasks were passivated and the GC settled; the
/// figure is the growth between the two: what ended tasks keep in memory.
/// </summary>
public static class HistoryMemoryBench
{
    private const double TargetGrowthMb = 64;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromHours(2);

    public static async Task<int> RunAsync(int tasks, int window, IReadOnlyList<string> settings, string dataDirectory)
    {
        var first = Math.Max(1, tasks / 20);
        ScenarioReport.Header("history-memory", $"{first:N0} then {tasks:N0} image tasks run to their end, {window} in flight", dataDirectory, settings);
        var port = DotnetChild.FreePort();
        using var sim = DotnetChild.Start("Orchestrator.Simulator", dataDirectory,
            [$"--urls=http://127.0.0.1:{port}", "--Simulator:ImageMinSeconds=0", "--Simulator:ImageMaxSeconds=0", "--Simulator:QueuedFraction=0", "--Logging:LogLevel:Default=Warning"]);
        var simUrl = $"http://127.0.0.1:{port}/";
        await WaitListeningAsync(sim, simUrl + "_sim/stats");

        var config = EmbeddedOrchestrator.Settings(dataDirectory, simUrl, new StorageChoice("Sqlite", null), settings);
        var passivate = double.Parse(config["Orchestrator:Tasks:PassivateAfterSeconds"]!, System.Globalization.CultureInfo.InvariantCulture);
        var createdFrom = DateTimeOffset.UtcNow;
        await using var host = await EmbeddedOrchestrator.StartAsync(config);
        using var slots = new SemaphoreSlim(window);
        await using var counter = CompletionCounter.Start(host.Orchestrator, createdFrom, () => slots.Release());

        var clock = Stopwatch.StartNew();
        var atFirst = await RunAndSettleAsync(host.Orchestrator, counter, slots, 0, first, passivate);
        Console.WriteLine($"  {atFirst.Ended:N0} ended after {clock.Elapsed.TotalSeconds:0} s: RSS {ScenarioReport.Mb(atFirst.RssBytes)}, managed {ScenarioReport.Mb(atFirst.ManagedBytes)}");
        var atAll = await RunAndSettleAsync(host.Orchestrator, counter, slots, first, tasks, passivate);
        Console.WriteLine($"  {atAll.Ended:N0} ended after {clock.Elapsed.TotalSeconds:0} s: RSS {ScenarioReport.Mb(atAll.RssBytes)}, managed {ScenarioReport.Mb(atAll.ManagedBytes)}");

        var growth = (atAll.RssBytes - atFirst.RssBytes) / ScenarioReport.MiB;
        var perTask = (double)(atAll.RssBytes - atFirst.RssBytes) / Math.Max(1, atAll.Ended - atFirst.Ended);
        Console.WriteLine();
        var met = ScenarioReport.AtMost($"RSS growth from {atFirst.Ended:N0} to {atAll.Ended:N0} ended tasks", growth, TargetGrowthMb, "MB", "N1");
        ScenarioReport.Figure("per ended task", $"{perTask:N0} bytes of RSS, {(double)(atAll.ManagedBytes - atFirst.ManagedBytes) / Math.Max(1, atAll.Ended - atFirst.Ended):N0} bytes of managed heap");
        ScenarioReport.Figure("settled at each mark", $"RSS {ScenarioReport.Mb(atFirst.RssBytes)} → {ScenarioReport.Mb(atAll.RssBytes)}, managed heap " +
            $"{ScenarioReport.Mb(atFirst.ManagedBytes)} → {ScenarioReport.Mb(atAll.ManagedBytes)}, GC committed {ScenarioReport.Mb(atFirst.GcCommittedBytes)} → {ScenarioReport.Mb(atAll.GcCommittedBytes)}");
        ScenarioReport.Figure("tasks", $"{counter.Ended:N0} ended, {counter.Succeeded:N0} succeeded{(counter.FirstOther is null ? "" : "; first other: " + counter.FirstOther)}");
        ScenarioReport.Json(new
        {
            scenario = "history-memory", cores = Environment.ProcessorCount, build = ScenarioReport.Build(), first, tasks, window,
            rssFirstMb = Math.Round(atFirst.RssBytes / ScenarioReport.MiB, 1), rssAllMb = Math.Round(atAll.RssBytes / ScenarioReport.MiB, 1), growthMb = Math.Round(growth, 1),
            managedFirstMb = Math.Round(atFirst.ManagedBytes / ScenarioReport.MiB, 1), managedAllMb = Math.Round(atAll.ManagedBytes / ScenarioReport.MiB, 1),
            ended = counter.Ended, succeeded = counter.Succeeded, met,
        });
        return counter.Ended == tasks && counter.Succeeded == tasks ? 0 : 1;
    }

    private static async Task<SettledMemory> RunAndSettleAsync(IOrchestrator orchestrator, CompletionCounter counter, SemaphoreSlim slots, int from, int to, double passivateSeconds)
    {
        var feed = await ImageFeed.RunAsync(orchestrator, slots, to - from, () => false, first: from);
        if (feed.Rejected > 0) throw new InvalidOperationException($"{feed.Rejected} requests were rejected: {feed.FirstRejection}");
        if (!await counter.WaitForAsync(to, RunTimeout, n => Console.WriteLine($"  {n:N0} of {to:N0} ended")))
            throw new TimeoutException($"Only {counter.Ended} of {to} tasks ended within {RunTimeout}.");
        // Ended tasks leave memory after PassivateAfterSeconds; then a collection that compacts and gives memory back to the OS.
        await Task.Delay(TimeSpan.FromSeconds(passivateSeconds + 3));
        for (var i = 0; i < 2; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        using var process = Process.GetCurrentProcess();
        return new SettledMemory(counter.Ended, process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false), GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    private static async Task WaitListeningAsync(DotnetChild child, string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromMinutes(1); await Task.Delay(50))
        {
            if (child.HasExited) throw new InvalidOperationException("The simulator exited:" + Environment.NewLine + child.Tail);
            try
            {
                if ((await http.GetAsync(url)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
        }
        throw new TimeoutException("The simulator did not start:" + Environment.NewLine + child.Tail);
    }
}
