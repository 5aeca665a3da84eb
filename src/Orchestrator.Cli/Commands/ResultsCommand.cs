using System.CommandLine;
using System.Runtime.CompilerServices;
using Orchestrator.Cli.Http;
using Orchestrator.Cli.Wire;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>results &lt;batchId&gt; --out dir</c>: reads the batch's ended tasks as they stream in and downloads their files,
/// a few at a time, verifying each SHA-256. Exit 2 when any task did not succeed or any file could not be had.
/// </summary>
public static class ResultsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var batchId = new Argument<string>("batchId") { Description = "The batch id." };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Directory for the files (created if missing).", Required = true, HelpName = "dir" };
        var parallel = new Option<int>("--parallel")
        {
            Description = "Downloads at once.",
            DefaultValueFactory = _ => 4,
            Validators = { r => { if (r.GetValueOrDefault<int>() is < 1 or > 64) r.AddError("--parallel must be between 1 and 64."); } },
        };
        var command = new Command("results", "Download the result files of a batch's ended tasks (GET /v1/batches/{id}/results).")
        {
            batchId, outDir, parallel,
        };

        command.SetAction(CommandRunner.Run(global, async ctx =>
        {
            var dir = ctx.Get(outDir);
            dir.Create();
            var downloader = new ResultDownloader(ctx.Client, dir);
            var tally = new Dictionary<string, int>();
            long bytes = 0;
            var tasks = 0;
            var gate = new Lock();
            var work = FilesOf(ctx.Client.BatchResultsAsync(ctx.Get(batchId), ctx.Cancel), () => Interlocked.Increment(ref tasks), ctx.Cancel);
            var options = new ParallelOptions { MaxDegreeOfParallelism = ctx.Get(parallel), CancellationToken = ctx.Cancel };
            await Parallel.ForEachAsync(work, options, async (item, ct) =>
            {
                var outcome = item.File is null
                    ? new DownloadOutcome(item.Task.Id, null, DownloadOutcome.NotSucceeded, Message: $"{item.Task.Status}" + (item.Task.Error is { } e ? $" {e.Code}: {e.Message}" : ""))
                    : await downloader.DownloadAsync(item.Task, item.File, ct);
                lock (gate)
                {
                    tally[outcome.Outcome] = tally.GetValueOrDefault(outcome.Outcome) + 1;
                    if (outcome.Outcome is DownloadOutcome.Downloaded) bytes += outcome.Bytes ?? 0;
                    ctx.Output.Result(outcome, () => Describe(outcome));
                }
            });

            int Of(string outcome) => tally.GetValueOrDefault(outcome);
            ctx.Output.Info($"{tasks} ended task(s): {Of(DownloadOutcome.Downloaded)} file(s) downloaded ({bytes} bytes), " +
                            $"{Of(DownloadOutcome.Present)} already present, {Of(DownloadOutcome.Failed)} failed, " +
                            $"{Of(DownloadOutcome.Mismatch)} SHA-256 mismatch, {Of(DownloadOutcome.NotSucceeded)} task(s) without results → {dir.FullName}");
            var bad = Of(DownloadOutcome.Failed) + Of(DownloadOutcome.Mismatch) + Of(DownloadOutcome.NotSucceeded);
            return bad > 0 ? ExitCodes.PartialFailure : ExitCodes.Success;
        }));
        return command;
    }

    private sealed record FileToFetch(TaskView Task, ResultFile? File);

    /// <summary>One work item per result file; a task that did not succeed is one item without a file.</summary>
    private static async IAsyncEnumerable<FileToFetch> FilesOf(IAsyncEnumerable<TaskView> tasks, Action counted, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var task in tasks.WithCancellation(ct))
        {
            counted();
            if (!task.Succeeded) yield return new FileToFetch(task, null);
            else foreach (var file in task.Results) yield return new FileToFetch(task, file);
        }
    }

    private static string Describe(DownloadOutcome o) => o.Outcome switch
    {
        DownloadOutcome.Downloaded or DownloadOutcome.Present => $"{o.Outcome,-13} {o.Path} ({o.Bytes} bytes)",
        DownloadOutcome.NotSucceeded => $"{o.Outcome,-13} {o.TaskId}: {o.Message}",
        _ => $"{o.Outcome,-13} {o.TaskId}-{o.Index}: {o.Message}",
    };
}
