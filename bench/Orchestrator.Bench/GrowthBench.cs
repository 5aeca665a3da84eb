using Orchestrator.Hosting;
using Orchestrator.Simulator;

namespace Orchestrator.Bench;

/// <summary>
/// Issue 20, database growth: N image tasks run to their end through the embedded orchestrator on a fresh SQLite file;
/// the database (file + WAL after a checkpoint) is measured with the orchestrator stopped, before and after, and the
/// figure is bytes per finished task, split by table and index (journal, tags, and whatever read-model tables this build
/// has). With <c>--retention-days D</c> the orchestrator is started again with <c>Orchestrator:Retention:EndedTaskDays=D</c>
/// and the database measured again once the row counts stop falling, when this build has that option.
/// </summary>
public static class GrowthBench
{
    private const double TargetBytesPerTask = 2048;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromHours(1);

    public static async Task<int> RunAsync(int tasks, int window, double? retentionDays, int retentionWaitSeconds, IReadOnlyList<string> settings, string dataDirectory)
    {
        ScenarioReport.Header("growth", $"{tasks:N0} image tasks run to their end on SQLite, {window} in flight", dataDirectory, settings);
        var databaseFile = Path.Combine(dataDirectory, "orchestrator.db");
        await using var sim = await BenchSimulator.StartAsync(new SimulatorOptions { ImageMinSeconds = 0, ImageMaxSeconds = 0, QueuedFraction = 0 });
        var config = EmbeddedOrchestrator.Settings(dataDirectory, sim.BaseUrl, new StorageChoice("Sqlite", null), settings);

        // The empty database of this build (its tables made at start) is not per-task growth.
        await (await EmbeddedOrchestrator.StartAsync(config)).DisposeAsync();
        var empty = await DatabaseSize.MeasureAsync(databaseFile);

        var createdFrom = DateTimeOffset.UtcNow;
        int ended, succeeded;
        await using (var host = await EmbeddedOrchestrator.StartAsync(config))
        {
            using var slots = new SemaphoreSlim(window);
            await using var counter = CompletionCounter.Start(host.Orchestrator, createdFrom, () => slots.Release());
            var feed = await ImageFeed.RunAsync(host.Orchestrator, slots, tasks, () => false);
            await counter.WaitForAsync(feed.Accepted, RunTimeout, n => Console.WriteLine($"  {n:N0} of {feed.Accepted:N0} ended"));
            (ended, succeeded) = (counter.Ended, counter.Succeeded);
            // Whatever an ended task still writes (passivation, result bookkeeping) belongs to its size.
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        var full = await DatabaseSize.MeasureAsync(databaseFile);

        Console.WriteLine();
        var perTask = (double)(full.TotalBytes - empty.TotalBytes) / Math.Max(1, ended);
        var met = ScenarioReport.AtMost("database growth per finished task", perTask, TargetBytesPerTask, "bytes", "N0");
        PrintObjects(empty, full, ended);
        ScenarioReport.Figure("file", $"{ScenarioReport.Mb(empty.TotalBytes)} empty → {ScenarioReport.Mb(full.TotalBytes)} after {ended:N0} tasks " +
            $"({succeeded:N0} succeeded), {ScenarioReport.Mb(full.FreeBytes)} of it free pages; WAL after checkpoint {full.WalBytes:N0} bytes");
        ScenarioReport.Figure("result files on disk (not in the figure)", $"{ResultBytes(dataDirectory) / Math.Max(1.0, ended):N0} bytes per task");
        var afterRetention = await RetentionAsync(retentionDays, retentionWaitSeconds, dataDirectory, databaseFile, sim.BaseUrl, settings, ended);
        ScenarioReport.Json(new
        {
            scenario = "growth", cores = Environment.ProcessorCount, build = ScenarioReport.Build(), tasks, ended, succeeded,
            bytesPerTask = Math.Round(perTask), fromDbstat = full.FromDbstat, emptyBytes = empty.TotalBytes, fullBytes = full.TotalBytes, freeBytes = full.FreeBytes,
            perObject = full.Objects.ToDictionary(o => o.Name, o => Math.Round((double)(o.Bytes - empty.BytesOf(o.Name)) / Math.Max(1, ended))),
            afterRetentionBytesPerTask = afterRetention, met,
        });
        return ended == tasks && succeeded == tasks ? 0 : 1;
    }

    private static void PrintObjects(DatabaseSize empty, DatabaseSize full, int ended)
    {
        Console.WriteLine($"  per table and index ({(full.FromDbstat ? "pages, from dbstat" : "estimated from value lengths: dbstat not available")}):");
        foreach (var o in full.Objects.OrderByDescending(o => o.Bytes - empty.BytesOf(o.Name)))
        {
            var growth = (double)(o.Bytes - empty.BytesOf(o.Name)) / Math.Max(1, ended);
            var rows = o.Rows is { } r ? $"{(r - (empty.RowsOf(o.Name) ?? 0)) / (double)Math.Max(1, ended),6:0.00} rows/task" : "";
            Console.WriteLine($"    {(o.IsTable ? "table" : "index"),-5} {o.Name,-40} {growth,8:N0} bytes/task {rows}");
        }
        if (full.FromDbstat) return;
        var split = full.Objects.Sum(o => o.Bytes - empty.BytesOf(o.Name));
        Console.WriteLine($"    {"",-5} {"pages and b-trees (not split)",-40} {(double)(full.TotalBytes - full.FreeBytes - empty.TotalBytes + empty.FreeBytes - split) / Math.Max(1, ended),8:N0} bytes/task");
    }

    /// <returns>Bytes per task after retention, or null when it was not measured.</returns>
    private static async Task<double?> RetentionAsync(double? days, int waitSeconds, string dataDirectory, string databaseFile, string simulatorBaseUrl,
        IReadOnlyList<string> settings, int ended)
    {
        // An option of a later build: bound from configuration when the property exists, ignored when it does not.
        var available = typeof(OrchestratorOptions).GetProperty("Retention") is not null;
        if (!available || days is null)
        {
            ScenarioReport.Figure("retention", available ? "available, not measured (pass --retention-days D)" : "not available");
            return null;
        }
        var config = EmbeddedOrchestrator.Settings(dataDirectory, simulatorBaseUrl, new StorageChoice("Sqlite", null),
            [.. settings, $"Orchestrator:Retention:EndedTaskDays={days}", "Orchestrator:Retention:SweepSeconds=5"]);
        await using (var host = await EmbeddedOrchestrator.StartAsync(config))
        {
            // Until the rows stop falling (three quiet readings) or the wait is over.
            var last = -1L;
            var quiet = 0;
            for (var waited = 0; waited < waitSeconds && quiet < 3; waited += 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(5));
                var rows = (await JournalRows.CountAsync(new StorageChoice("Sqlite", null), dataDirectory)).Events;
                quiet = rows == last ? quiet + 1 : 0;
                last = rows;
            }
        }
        var after = await DatabaseSize.MeasureAsync(databaseFile);
        var inUse = after.TotalBytes - after.FreeBytes;
        ScenarioReport.Figure($"after retention (EndedTaskDays={days})", $"{inUse / (double)Math.Max(1, ended):N0} bytes per task in use, " +
            $"file {ScenarioReport.Mb(after.TotalBytes)} ({ScenarioReport.Mb(after.FreeBytes)} free pages; SQLite gives them back only on VACUUM)");
        foreach (var o in after.Objects.Where(o => o.IsTable)) Console.WriteLine($"    table {o.Name,-40} {o.Rows:N0} rows");
        return Math.Round(inUse / (double)Math.Max(1, ended));
    }

    private static long ResultBytes(string dataDirectory)
    {
        var results = Path.Combine(dataDirectory, "results");
        return Directory.Exists(results) ? new DirectoryInfo(results).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
    }
}
