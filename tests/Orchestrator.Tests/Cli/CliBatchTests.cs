using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cli;

/// <summary><c>batch</c>, <c>batch-status</c> and <c>results</c> against <c>/v1/batches</c>.</summary>
[Collection(CliCollection.Name)]
public sealed class CliBatchTests(CliServer cli) : IDisposable
{
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task A_batch_with_two_bad_lines_of_ten_exits_2_and_names_the_rejected_lines()
    {
        var file = WriteBatch("ten.jsonl", Enumerable.Range(1, 10).Select(i => i switch
        {
            4 => Line(i, count: 99),
            9 => Line(i).Replace("\"prompt\"", "\"promt\""),
            _ => Line(i),
        }));

        var human = await cli.RunAsync("batch", file);
        Assert.True(human.ExitCode == 2, human.ToString());
        Assert.Contains("8 accepted, 2 rejected", human.Out);
        Assert.Contains("line 4: count:", human.Out);
        Assert.Contains("line 9: promt:", human.Out);

        var json = await cli.RunAsync("batch", file, "--json");
        Assert.True(json.ExitCode == 2, json.ToString());
        var answer = Assert.Single(json.JsonLines);
        Assert.Equal(8, answer.GetProperty("accepted").GetInt32());
        Assert.Equal([4, 9], answer.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal("count", answer.GetProperty("rejected")[0].GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_atomic_batch_with_a_bad_line_is_refused_whole_with_exit_1()
    {
        var file = WriteBatch("atomic.jsonl", [Line(1), Line(2, count: 99), Line(3)]);

        var run = await cli.RunAsync("batch", file, "--atomic", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        var answer = Assert.Single(run.JsonLines);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("batchId").ValueKind);
        Assert.Equal(2, answer.GetProperty("rejected")[0].GetProperty("line").GetInt32());
        Assert.Contains("--atomic", run.Error);
    }

    [Fact]
    public async Task Batch_wait_follows_every_task_to_the_end_in_plain_lines_and_exits_0()
    {
        var file = WriteBatch("good.jsonl", Enumerable.Range(1, 6).Select(i => Line(i)));

        var run = await cli.RunAsync("batch", file, "--wait", "--poll-interval", "0.2");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("6 accepted, 0 rejected", run.Out);
        // Not a terminal: progress comes as plain lines, the last one at the end.
        Assert.Contains(run.OutLines, l => l.Contains("6/6 ended (100%)") && l.Contains("succeeded 6"));
        Assert.Contains("ended: 6 succeeded, 0 failed", run.Out);
        Assert.DoesNotContain("\u001b[", run.Out);
    }

    [Fact]
    public async Task Batch_wait_json_prints_the_acceptance_then_the_final_status_and_a_json_array_file_works()
    {
        var file = WriteBatch("array.json", ["[" + string.Join(",", Line(1), Line(2)) + "]"]);

        var run = await cli.RunAsync("batch", file, "--wait", "--poll-interval", "0.2", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.JsonLines;
        Assert.Equal(2, lines.Count);
        var batchId = lines[0].GetProperty("batchId").GetString();
        Assert.Equal(batchId, lines[1].GetProperty("batchId").GetString());
        Assert.Equal(2, lines[1].GetProperty("counts").GetProperty("succeeded").GetInt32());
        Assert.Contains("ended", run.Error); // the progress lines went to stderr

        var status = await cli.RunAsync("batch-status", batchId!, "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal(2, Assert.Single(status.JsonLines).GetProperty("ended").GetInt32());
    }

    [Fact]
    public async Task Results_downloads_every_file_with_its_sha256_and_a_second_run_finds_them_present()
    {
        var file = WriteBatch("results.jsonl", Enumerable.Range(1, 3).Select(i => Line(i, count: 2)));
        var batch = await cli.RunAsync("batch", file, "--wait", "--poll-interval", "0.2", "--json");
        Assert.True(batch.ExitCode == 0, batch.ToString());
        var batchId = batch.JsonLines[0].GetProperty("batchId").GetString()!;
        var outDir = Path.Combine(_files.Path, "out");

        var run = await cli.RunAsync("results", batchId, "--out", outDir, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var tasks = run.JsonLines;
        Assert.Equal(3, tasks.Count);
        Assert.All(tasks, t => Assert.Equal("ok", t.GetProperty("outcome").GetString()));
        var outcomes = tasks.SelectMany(t => t.GetProperty("files").EnumerateArray().Select(f => (TaskId: t.GetProperty("taskId").GetString()!, File: f))).ToList();
        Assert.Equal(6, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal("downloaded", o.File.GetProperty("outcome").GetString()));
        foreach (var (taskId, o) in outcomes)
        {
            var index = o.GetProperty("index").GetInt32();
            var view = await cli.Server.Http.GetFromJsonAsync<JsonElement>($"/v1/tasks/{taskId}");
            var expected = view.GetProperty("results")[index].GetProperty("sha256").GetString();
            var path = Path.Combine(outDir, $"{taskId}-{index}.png");
            Assert.Equal(path, o.GetProperty("path").GetString());
            Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))));
        }
        Assert.Empty(Directory.GetFiles(outDir, "*.part"));

        var again = await cli.RunAsync("results", batchId, "--out", outDir, "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.All(again.JsonLines.SelectMany(t => t.GetProperty("files").EnumerateArray()), f => Assert.Equal("present", f.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task Batch_cancel_cancels_what_has_not_ended_and_exits_0()
    {
        // Videos take seconds in the simulator: the batch is still running when it is cancelled.
        var file = WriteBatch("cancel.jsonl", Enumerable.Range(1, 4).Select(i => Line(i, kind: "text-to-video")));
        var batch = await cli.RunAsync("batch", file, "--json");
        Assert.True(batch.ExitCode == 0, batch.ToString());
        var batchId = batch.JsonLines[0].GetProperty("batchId").GetString()!;

        var human = await cli.RunAsync("batch-cancel", batchId);

        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains($"batch {batchId}", human.Out);
        Assert.Contains("cancelled", human.Out);
        var status = await cli.RunAsync("batch-status", batchId, "--wait", "--poll-interval", "0.2", "--json");
        Assert.True(Assert.Single(status.JsonLines).GetProperty("cancelled").GetBoolean(), status.ToString());

        // A second cancel may find every task ended already (409, exit 1): --json is checked on a batch of its own.
        var other = await cli.RunAsync("batch", file, "--json");
        var otherId = other.JsonLines[0].GetProperty("batchId").GetString()!;
        var json = await cli.RunAsync("batch-cancel", otherId, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(otherId, Assert.Single(json.JsonLines).GetProperty("batchId").GetString());
    }

    [Fact]
    public async Task Batch_retry_starts_a_new_batch_for_the_failed_lines_and_a_second_retry_exits_1()
    {
        var file = WriteBatch("failing.jsonl", Enumerable.Range(1, 2).Select(i => Line(i)));
        cli.SimOptions.FailureRate = 1;
        string batchId;
        try
        {
            var batch = await cli.RunAsync("batch", file, "--wait", "--poll-interval", "0.2", "--json");
            batchId = batch.JsonLines[0].GetProperty("batchId").GetString()!;
        }
        finally
        {
            cli.SimOptions.FailureRate = 0;
        }

        var human = await cli.RunAsync("batch-retry", batchId);

        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains($"2 failed task(s) of batch {batchId} retried as batch ", human.Out);
        var retryId = human.Out.Split("retried as batch ")[1].Split([' ', '\n', ':', '.'])[0].Trim();
        var status = await cli.RunAsync("batch-status", retryId, "--wait", "--poll-interval", "0.2", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal(2, Assert.Single(status.JsonLines).GetProperty("counts").GetProperty("succeeded").GetInt32());

        var again = await cli.RunAsync("batch-retry", batchId, "--json");
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Contains(retryId, again.Error);
    }

    [Fact]
    public async Task Results_prints_one_line_per_task_with_its_files()
    {
        var file = WriteBatch("one-line.jsonl", Enumerable.Range(1, 3).Select(i => Line(i, count: 2)));
        var batch = await cli.RunAsync("batch", file, "--wait", "--poll-interval", "0.2", "--json");
        Assert.True(batch.ExitCode == 0, batch.ToString());
        var batchId = batch.JsonLines[0].GetProperty("batchId").GetString()!;
        var outDir = Path.Combine(_files.Path, "one-line");

        var run = await cli.RunAsync("results", batchId, "--out", outDir);

        Assert.True(run.ExitCode == 0, run.ToString());
        var taskLines = run.OutLines.Where(l => !l.Contains("ended task(s)")).ToList();
        Assert.Equal(3, taskLines.Count);
        foreach (var line in taskLines)
        {
            var taskId = line.Split(' ')[0];
            Assert.Contains("2 files", line);
            Assert.Contains("ok", line);
            Assert.Contains(Path.Combine(outDir, $"{taskId}-0.png"), line);
            Assert.Contains(Path.Combine(outDir, $"{taskId}-1.png"), line);
        }
    }

    [Fact]
    public async Task Unknown_batches_and_unreadable_files_exit_1()
    {
        var unknown = await cli.RunAsync("results", new string('b', 32), "--out", Path.Combine(_files.Path, "none"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("404", unknown.Error);

        var missing = await cli.RunAsync("batch", Path.Combine(_files.Path, "missing.jsonl"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no such file", missing.Error);

        var unknownFormat = await cli.RunAsync("batch", WriteBatch("tasks.txt", [Line(1)]));
        Assert.Equal(1, unknownFormat.ExitCode);
        Assert.Contains(".jsonl", unknownFormat.Error);
    }

    private static string Line(int i, int count = 1, string kind = "text-to-image") => kind == "text-to-image"
        ? JsonSerializer.Serialize(new { provider = "simulator", kind, model = "kling-v1-5", prompt = $"cli batch line {i}", count })
        : JsonSerializer.Serialize(new { provider = "simulator", kind, model = "kling-v1-6", prompt = $"cli batch line {i}", durationSeconds = 5 });

    private string WriteBatch(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_files.Path, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }
}
