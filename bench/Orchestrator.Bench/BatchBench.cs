using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Orchestrator.Simulator;
using Orchestrator.Telemetry;

namespace Orchestrator.Bench;

/// <summary>One upload: from the first byte sent to the 202, which comes after every chunk is journaled and the batch sealed.</summary>
public sealed record BatchAcceptResult(
    string BatchId, int Lines, int Accepted, int Rejected, double Seconds, long BodyBytes,
    long BatchEvents, long BatchEventBytes, long TaskEventsAtAck, long TaskWritesAtAck, int StartedAtAck,
    long RssBeforeBytes, long PeakRssBytes, long PeakManagedBytes)
{
    public double LinesPerSecond => Lines / Seconds;
}

/// <summary>The batch queued behind a slow account: what memory it holds while it waits.</summary>
public sealed record BatchWaitResult(
    double Qps, int Seconds, long PeakRssBytes, long PeakAnonBytes, long PeakGcCommittedBytes, long PeakManagedBytes, long LiveManagedBytes,
    string? QueuedTaskStatus, int StartedAtEnd, int EndedAtEnd, double ProviderCallsPerSecond, long RateLimitAnswers);

/// <summary>A batch against a zero-latency simulator, from the first byte sent until every task has ended.</summary>
public sealed record BatchCompleteResult(
    int Lines, double Qps, BatchAcceptResult Accept, bool Finished, int Ended, int Succeeded, double SecondsFromFirstByte,
    double SecondsAfterAck, long JournalWrites, long PeakRssBytes, long PeakAnonBytes, long PeakGcCommittedBytes, long PeakManagedBytes,
    long LiveManagedBytes, SimulatorStats Simulator)
{
    /// <summary>Ended tasks per second after the 202: the rate the account, journal and actors sustain.</summary>
    public double TasksPerSecond => Ended / SecondsAfterAck;

    /// <summary>When the run was cut short: how long the whole batch would take at the rate it had.</summary>
    public double ProjectedSeconds(int lines) => Accept.Seconds * lines / Accept.Lines + lines / TasksPerSecond;
}

/// <summary>
/// Issue 9's batch figures, through the real HTTP server: (1) accept rate of a streamed JSON Lines upload, durable;
/// (2) peak RSS while the batch waits on a slow account, and a queued task answering as <c>accepted</c>;
/// (3) time until every task of a batch has ended against a zero-latency simulator.
/// </summary>
public static class BatchBench
{
    private const double MiB = 1024 * 1024;

    public static async Task<int> RunAsync(int lines, double qps, int waitSeconds, int completeLines, double completeQps,
        int completeTimeoutSeconds, string dataDirectory)
    {
        var (accept, wait) = await AcceptAndWaitAsync(lines, qps, waitSeconds, Directory.CreateDirectory(Path.Combine(dataDirectory, "wait")).FullName);
        // What the first server left must not count against the second run's peak.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var complete = await CompleteAsync(completeLines, completeQps, completeTimeoutSeconds, Directory.CreateDirectory(Path.Combine(dataDirectory, "complete")).FullName);
        BatchReport.Print(lines, accept, wait, complete);
        var ok = accept.Accepted == lines && wait.QueuedTaskStatus == "accepted" && complete.Finished && complete.Succeeded == completeLines;
        return ok ? 0 : 1;
    }

    private static async Task<(BatchAcceptResult, BatchWaitResult)> AcceptAndWaitAsync(int lines, double qps, int waitSeconds, string dataDirectory)
    {
        // Tasks of a few seconds at a provider that answers 429 over the same QPS the account is held to.
        var simulator = new SimulatorOptions { ImageMinSeconds = 2, ImageMaxSeconds = 5, QpsLimit = qps };
        await using var server = await BatchBenchServer.StartAsync(dataDirectory, simulator, qps, passivateAfterSeconds: 30);
        var accept = await UploadAsync(server, lines);
        Console.WriteLine($"accepted {accept.Accepted} lines in {accept.Seconds:0.00} s ({accept.LinesPerSecond:N0} lines/s); waiting {waitSeconds} s on a {qps} QPS account");

        var callsBefore = server.Simulator.Stats();
        var lastTask = accept.BatchId[..20] + lines.ToString("x12");
        string? queuedStatus = null;
        await using var rss = RssSampler.Start();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(waitSeconds))
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, waitSeconds - clock.Elapsed.TotalSeconds + 0.01)));
            // The last line waits the longest: it must answer from the batch's state all along.
            var status = await TaskStatusAsync(server, lastTask);
            queuedStatus = queuedStatus is null or "accepted" ? status : queuedStatus;
        }
        var callsAfter = server.Simulator.Stats();
        var batch = await server.GetJsonAsync($"/v1/batches/{accept.BatchId}");
        var live = GC.GetTotalMemory(forceFullCollection: true);
        await rss.StopAsync();
        var calls = (callsAfter.Submits + callsAfter.Polls) - (callsBefore.Submits + callsBefore.Polls);
        return (accept, new BatchWaitResult(qps, waitSeconds, rss.PeakBytes, rss.PeakAnonBytes, rss.PeakGcCommittedBytes, rss.PeakManagedBytes, live, queuedStatus,
            Started(batch), batch.GetProperty("ended").GetInt32(), calls / clock.Elapsed.TotalSeconds,
            callsAfter.RateLimitAnswers - callsBefore.RateLimitAnswers));
    }

    private static async Task<BatchCompleteResult> CompleteAsync(int lines, double qps, int timeoutSeconds, string dataDirectory)
    {
        var simulator = new SimulatorOptions { ImageMinSeconds = 0, ImageMaxSeconds = 0, QueuedFraction = 0 };
        await using var server = await BatchBenchServer.StartAsync(dataDirectory, simulator, qps, passivateAfterSeconds: 2);
        await using var rss = RssSampler.Start();
        var writesBefore = OrchestratorMetrics.JournalWriteCount;
        var accept = await UploadAsync(server, lines);
        var ackTicks = Stopwatch.GetTimestamp();
        Console.WriteLine($"accepted {accept.Accepted} lines in {accept.Seconds:0.00} s ({accept.LinesPerSecond:N0} lines/s); running them at {qps} QPS");

        JsonElement? batch = null;
        var lastReport = 0.0;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            try
            {
                batch = await server.GetJsonAsync($"/v1/batches/{accept.BatchId}");
            }
            catch (HttpRequestException ex)
            {
                // A server in trouble (journal timeouts) answers 500 for a while: that is a finding, not the end of the run.
                Console.WriteLine($"  GET /v1/batches failed: {ex.Message}");
                if (Stopwatch.GetElapsedTime(ackTicks).TotalSeconds > timeoutSeconds) break;
                continue;
            }
            var ended = batch.Value.GetProperty("ended").GetInt32();
            var after = Stopwatch.GetElapsedTime(ackTicks).TotalSeconds;
            if (after - lastReport >= 15)
            {
                lastReport = after;
                Console.WriteLine($"  {after,6:0} s: {ended} of {accept.Accepted} ended ({ended / after:N0}/s), RSS peak so far {rss.PeakBytes / MiB:N0} MB");
            }
            if (ended >= accept.Accepted || after > timeoutSeconds) break;
        }
        var secondsAfterAck = Stopwatch.GetElapsedTime(ackTicks).TotalSeconds;
        var fromFirstByte = accept.Seconds + secondsAfterAck;
        // What stays after every task ended and passivated: the process's read model of them.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var live = GC.GetTotalMemory(forceFullCollection: true);
        await rss.StopAsync();
        var end = batch?.GetProperty("ended").GetInt32() ?? 0;
        return new BatchCompleteResult(lines, qps, accept, end >= accept.Accepted, end,
            batch?.GetProperty("counts").GetProperty("succeeded").GetInt32() ?? 0, fromFirstByte, secondsAfterAck,
            OrchestratorMetrics.JournalWriteCount - writesBefore, rss.PeakBytes, rss.PeakAnonBytes, rss.PeakGcCommittedBytes, rss.PeakManagedBytes, live,
            server.Simulator.Stats());
    }

    /// <summary>POSTs the generated lines and reads what the acknowledgement cost, right after the 202.</summary>
    private static async Task<BatchAcceptResult> UploadAsync(BatchBenchServer server, int lines)
    {
        var rssBefore = CurrentRss();
        await using var rss = RssSampler.Start();
        var writesBefore = OrchestratorMetrics.JournalWriteCount;
        using var content = new GeneratedBatchContent(lines);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await server.Http.PostAsync("/v1/batches", content);
        var seconds = Stopwatch.GetElapsedTime(content.FirstByteTicks).TotalSeconds;
        var writesAtAck = OrchestratorMetrics.JournalWriteCount - writesBefore;
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"Upload answered {(int)response.StatusCode}: {body}");
        var answer = JsonSerializer.Deserialize<JsonElement>(body);
        var batchId = answer.GetProperty("batchId").GetString()!;
        var batch = await server.GetJsonAsync($"/v1/batches/{batchId}");
        var (batchEvents, batchBytes, taskEvents) = await server.JournalRowsAsync(batchId);
        await rss.StopAsync();
        return new BatchAcceptResult(batchId, lines, answer.GetProperty("accepted").GetInt32(), answer.GetProperty("rejected").GetArrayLength(),
            seconds, content.BytesSent, batchEvents, batchBytes, taskEvents, writesAtAck, Started(batch), rssBefore, rss.PeakBytes, rss.PeakManagedBytes);
    }

    /// <summary>Tasks past <c>accepted</c> (queued tasks count as accepted, so this is a floor on tasks handed over).</summary>
    private static int Started(JsonElement batch) =>
        batch.GetProperty("total").GetInt32() - batch.GetProperty("counts").GetProperty("accepted").GetInt32();

    private static async Task<string?> TaskStatusAsync(BatchBenchServer server, string taskId)
    {
        using var response = await server.Http.GetAsync($"/v1/tasks/{taskId}");
        if (!response.IsSuccessStatusCode) return $"HTTP {(int)response.StatusCode}";
        return JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync()).GetProperty("status").GetString();
    }

    private static long CurrentRss()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }
}
