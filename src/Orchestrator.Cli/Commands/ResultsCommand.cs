using System.CommandLine;
using Orchestrator.Cli.Display;
using Orchestrator.Cli.Http;
using Orchestrator.Tasks;

namespace Orchestrator.Cli.Commands;

/// <summary>What became of one task's result files: one line of <c>results</c>.</summary>
/// <param name="Status">The task's status (snake case).</param>
/// <param name="Outcome">ok (every file on disk), incomplete (some file failed or did not match its SHA-256), not_succeeded.</param>
/// <param name="Files">Each file's outcome; none when the task did not succeed.</param>
/// <param name="Message">Why a task did not succeed.</param>
public sealed record TaskDownloads(string TaskId, string Status, string Outcome, IReadOnlyList<DownloadOutcome> Files, string? Message = null)
{
    public const string Ok = "ok";
    public const string Incomplete = "incomplete";
    public const string NotSucceeded = "not_succeeded";
}

/// <summary>
/// <c>results &lt;batchId&gt; --out dir</c>: reads the batch's ended tasks as they stream in and downloads their files,
/// a few tasks at a time, verifying each SHA-256; one line per task. Exit 2 when any task did not succeed or any file
/// could not be had.
/// </summary>
public static class ResultsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var batchId = new Argument<string>("batchId") { Description = "The batch id." };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Directory for the files (created if missing).", Required = true, HelpName = "dir" };
        var parallel = new Option<int>("--parallel")
        {
            Description = "Tasks whose files are downloaded at once.",
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
            var tasks = new Dictionary<string, int>();
            var files = new Dictionary<string, int>();
            long bytes = 0;
            var gate = new Lock();
            var options = new ParallelOptions { MaxDegreeOfParallelism = ctx.Get(parallel), CancellationToken = ctx.Cancel };
            await Parallel.ForEachAsync(ctx.Client.BatchResultsAsync(ctx.Get(batchId), ctx.Cancel), options, async (task, ct) =>
            {
                var done = await DownloadAsync(downloader, task, ct);
                lock (gate)
                {
                    tasks[done.Outcome] = tasks.GetValueOrDefault(done.Outcome) + 1;
                    foreach (var f in done.Files) files[f.Outcome] = files.GetValueOrDefault(f.Outcome) + 1;
                    bytes += done.Files.Where(f => f.Outcome == DownloadOutcome.Downloaded).Sum(f => f.Bytes ?? 0);
                    ctx.Output.Result(done, () => Describe(done));
                }
            });

            ctx.Output.Info($"{tasks.Values.Sum()} ended task(s): {tasks.GetValueOrDefault(TaskDownloads.Ok)} ok, " +
                            $"{tasks.GetValueOrDefault(TaskDownloads.Incomplete)} incomplete, {tasks.GetValueOrDefault(TaskDownloads.NotSucceeded)} not succeeded; " +
                            $"{files.GetValueOrDefault(DownloadOutcome.Downloaded)} file(s) downloaded ({bytes} bytes), " +
                            $"{files.GetValueOrDefault(DownloadOutcome.Present)} already present → {dir.FullName}");
            return tasks.Keys.Any(k => k != TaskDownloads.Ok) ? ExitCodes.PartialFailure : ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<TaskDownloads> DownloadAsync(ResultDownloader downloader, TaskView task, CancellationToken ct)
    {
        var status = task.Status.WireName();
        if (!task.Succeeded)
            return new TaskDownloads(task.Id, status, TaskDownloads.NotSucceeded, [], task.Error is { } e ? $"{e.Code}: {e.Message}" : null);
        var files = new List<DownloadOutcome>();
        foreach (var file in task.Results) files.Add(await downloader.DownloadAsync(task, file, ct));
        return new TaskDownloads(task.Id, status, files.All(f => f.IsOnDisk) ? TaskDownloads.Ok : TaskDownloads.Incomplete, files);
    }

    /// <summary>"id  ok  2 files  a-0.png a-1.png", "id  incomplete  1 of 2 files  a-0.png; file 1: mismatch …", "id  not_succeeded  failed code: …".</summary>
    private static string Describe(TaskDownloads t)
    {
        var head = $"{t.TaskId}  {t.Outcome,-13}";
        if (t.Outcome == TaskDownloads.NotSucceeded) return $"{head}  {t.Status}" + (t.Message is { } m ? $" {m}" : "");
        var onDisk = t.Files.Where(f => f.IsOnDisk).ToList();
        var count = onDisk.Count == t.Files.Count ? FileCount(t.Files.Count) : $"{onDisk.Count} of {FileCount(t.Files.Count)}";
        var problems = t.Files.Where(f => !f.IsOnDisk).Select(f => $"; file {f.Index}: {f.Outcome} {f.Message}");
        return $"{head}  {count}  {string.Join(' ', onDisk.Select(f => f.Path))}{string.Concat(problems)}";
    }

    private static string FileCount(int n) => n == 1 ? "1 file" : $"{n} files";
}
