using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// Issue 20, restart with history: a journal of N ended tasks and M unfinished ones (hours at the provider), made through
/// the server's HTTP API; the server is killed (SIGKILL) and started again as a process, and the figure is the time from
/// that process start until <c>/healthz</c> answers 200. That is done <c>restarts</c> times on the one journal (each start
/// killed in turn) and the median is the figure. The same build's start on an empty journal is printed beside it: the part
/// of the figure that is .NET and Kestrel, not the journal.
/// </summary>
public static class RestartEndedBench
{
    private const double TargetSeconds = 3;

    public static async Task<int> RunAsync(int ended, int unfinished, int restarts, IReadOnlyList<string> settings, string dataDirectory)
    {
        ScenarioReport.Header("restart-ended", $"{ended:N0} ended + {unfinished:N0} unfinished tasks, then kill -9 and start again", dataDirectory, settings);
        EmbeddedOrchestrator.RaiseThreadPoolFloor();
        await using var sim = await BenchSimulator.StartAsync(new SimulatorOptions { ImageMinSeconds = 0, ImageMaxSeconds = 0, QueuedFraction = 0 });
        string[] config =
        [
            // Zero-time tasks are done at their first poll; the unfinished ones must not time out while the bench runs.
            "Orchestrator:Polling:ImageFloorSeconds=0.2", "Orchestrator:Polling:ImagePriorSeconds=0.2", "Orchestrator:Tasks:PassivateAfterSeconds=2",
            "Orchestrator:Tasks:ImageDeadlineSeconds=86400", .. settings,
        ];
        using var first = ServerChild.Start(dataDirectory, sim.BaseUrl, qps: 1_000_000, config);
        var emptyStart = await first.WaitReadyAsync(TimeSpan.FromMinutes(2));
        Console.WriteLine($"  empty journal: /healthz 200 after {emptyStart.ReadySeconds:0.00} s; running {ended:N0} tasks to their end");

        var endedBatches = await ServerBatches.UploadAsync(first, ended);
        var allEnded = await ServerBatches.WaitEndedAsync(first, endedBatches, TimeSpan.FromSeconds(600 + ended / 20.0));
        // Durations are drawn per create: from now on the provider takes ten hours.
        sim.Simulator.Options.ImageMinSeconds = sim.Simulator.Options.ImageMaxSeconds = 36_000;
        var openBatches = unfinished > 0 ? await ServerBatches.UploadAsync(first, unfinished) : [];
        var allSubmitted = await ServerBatches.WaitSubmittedAsync(first, openBatches, TimeSpan.FromSeconds(300 + unfinished / 20.0));
        var databaseBytes = new FileInfo(ServerChild.DatabaseFile(dataDirectory)).Length + WalBytes(dataDirectory);
        first.Kill();

        // Each start is killed in turn and the next one starts on the same journal: one preparation, several figures.
        var starts = new List<ServerStart>();
        var unfinishedSeen = 0;
        var previous = first;
        for (var i = 1; i <= restarts; i++)
        {
            using var next = previous.StartAgain();
            var start = await next.WaitReadyAsync(TimeSpan.FromMinutes(15));
            unfinishedSeen = await next.UnfinishedTasksAsync();
            next.Kill();
            Console.WriteLine($"  start {i} of {restarts}: /healthz 200 after {start.ReadySeconds:0.00} s, {unfinishedSeen:N0} unfinished");
            starts.Add(start);
            previous = next;
        }
        var ready = starts.Select(s => s.ReadySeconds).Order().ToArray();
        var median = ready[ready.Length / 2];

        Console.WriteLine();
        var met = ScenarioReport.AtMost($"restart to /healthz 200 (median of {restarts})", median, TargetSeconds, "s", "0.00");
        ScenarioReport.Figure("each start", string.Join(", ", starts.Select(s => $"{s.ReadySeconds:0.00} s (first answer {s.FirstAnswerSeconds:0.00} s)")));
        ScenarioReport.Figure("same build, empty journal", $"{emptyStart.ReadySeconds:0.00} s to /healthz 200");
        ScenarioReport.Figure("journal before the kill", $"{ended:N0} ended{(allEnded ? "" : " (NOT ALL ENDED)")}, {unfinished:N0} unfinished" +
            $"{(allSubmitted ? "" : " (NOT ALL SUBMITTED)")}; database file + WAL {ScenarioReport.Mb(databaseBytes)}");
        ScenarioReport.Figure("after the last restart", $"/v1/providers reports {unfinishedSeen:N0} unfinished tasks");
        ScenarioReport.Json(new
        {
            scenario = "restart-ended", cores = Environment.ProcessorCount, build = ScenarioReport.Build(), ended, unfinished,
            readySeconds = Math.Round(median, 3), eachReadySeconds = starts.Select(s => Math.Round(s.ReadySeconds, 3)).ToArray(),
            firstAnswerSeconds = starts.Select(s => Math.Round(s.FirstAnswerSeconds, 3)).ToArray(),
            emptyReadySeconds = Math.Round(emptyStart.ReadySeconds, 3), databaseMb = Math.Round(databaseBytes / ScenarioReport.MiB, 1), unfinishedSeen, met,
        });
        return allEnded && allSubmitted && unfinishedSeen == unfinished ? 0 : 1;
    }

    private static long WalBytes(string dataDirectory) =>
        File.Exists(ServerChild.DatabaseFile(dataDirectory) + "-wal") ? new FileInfo(ServerChild.DatabaseFile(dataDirectory) + "-wal").Length : 0;
}
