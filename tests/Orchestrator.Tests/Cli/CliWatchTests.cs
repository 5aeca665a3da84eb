using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Cli;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cli;

/// <summary><c>watch</c> follows the completion stream until cancelled (Ctrl+C), which ends it with exit 0.</summary>
[Collection(CliCollection.Name)]
public sealed class CliWatchTests(CliServer cli)
{
    [Fact]
    public async Task Watch_json_prints_one_line_per_completion_and_exits_0_when_cancelled_then_resumes_from_an_offset()
    {
        var tenant = "watch-" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var response = await cli.Server.SubmitAsync(Requests.Image($"watched {i}", ("metadata", new Dictionary<string, string> { ["tenant"] = tenant })));
            ids.Add((await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id);
        }

        var (first, lines) = await WatchUntilAsync(["watch", "--json", "--tenant", tenant, "--from", "start"], count: 3);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(ids.Order(), lines.Select(l => l.GetProperty("task").GetProperty("id").GetString()!).Order());
        Assert.All(lines, l => Assert.Equal("task.succeeded", l.GetProperty("type").GetString()));
        var offsets = lines.Select(l => l.GetProperty("offset").GetInt64()).ToList();
        Assert.Equal(offsets.Order(), offsets);
        Assert.Contains($"--from {offsets[^1]}", first.Error);

        // Resuming after the first offset gives exactly the other two.
        var (_, resumed) = await WatchUntilAsync(["watch", "--json", "--tenant", tenant, "--from", offsets[0].ToString()], count: 2);
        Assert.Equal(offsets.Skip(1), resumed.Select(l => l.GetProperty("offset").GetInt64()));
    }

    [Fact]
    public async Task Watch_without_from_prints_only_what_ends_after_it_starts_and_from_start_replays()
    {
        var tenant = "now-" + Guid.NewGuid().ToString("N")[..8];
        var metadata = ("metadata", new Dictionary<string, string> { ["tenant"] = tenant });
        var old = await cli.Server.WaitForEndAsync(await cli.Server.SubmitForIdAsync(Requests.Image("ended before watching", metadata)));

        var output = new StringWriter();
        var synchronizedOut = TextWriter.Synchronized(output);
        var error = new StringWriter();
        var synchronizedError = TextWriter.Synchronized(error);
        using var stop = new CancellationTokenSource();
        var watching = CliApp.RunAsync(["--server", cli.Url, "watch", "--json", "--tenant", tenant],
            new CliConsole(synchronizedOut, synchronizedError, IsTerminal: false), stop.Token);
        string Text(TextWriter w, StringWriter inner) { lock (w) return inner.ToString(); }
        // The CLI says where it starts once the stream is open: what ends after that must be printed.
        await Eventually.Until(() => Task.FromResult(Text(synchronizedError, error) + Text(synchronizedOut, output)),
            e => e.Contains("watching") || e.Contains(old.Id) || watching.IsCompleted, TimeSpan.FromSeconds(30), "the stream to open");
        var fresh = await cli.Server.SubmitForIdAsync(Requests.Image("ended while watching", metadata));
        await Eventually.Until(() => Task.FromResult(Text(synchronizedOut, output)), o => o.Contains(fresh) || watching.IsCompleted, TimeSpan.FromSeconds(60), "the new completion");
        await stop.CancelAsync();
        Assert.Equal(0, await watching.WaitAsync(TimeSpan.FromSeconds(10)));

        var ids = Text(synchronizedOut, output).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("task").GetProperty("id").GetString()).ToList();
        Assert.Equal([fresh], ids);
        Assert.DoesNotContain(old.Id, Text(synchronizedOut, output));

        var (_, replayed) = await WatchUntilAsync(["watch", "--json", "--tenant", tenant, "--from", "start"], count: 2);
        Assert.Equal([old.Id, fresh], replayed.Select(l => l.GetProperty("task").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Watch_with_a_refused_filter_exits_1()
    {
        var run = await cli.RunAsync("watch", "--status", "processing");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("status", run.Error);

        var badStart = await cli.RunAsync("watch", "--from", "yesterday");
        Assert.Equal(1, badStart.ExitCode);
        Assert.Contains("--from", badStart.Error);
    }

    /// <summary>Runs <c>watch</c> until its stdout holds <paramref name="count"/> lines, then cancels it as Ctrl+C would.</summary>
    private async Task<(CliRun Run, List<JsonElement> Lines)> WatchUntilAsync(string[] args, int count)
    {
        var output = new StringWriter();
        var synchronizedOut = TextWriter.Synchronized(output);
        var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        var watching = CliApp.RunAsync(["--server", cli.Url, .. args], new CliConsole(synchronizedOut, TextWriter.Synchronized(error), IsTerminal: false), stop.Token);
        string[] Lines()
        {
            lock (synchronizedOut) return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        await Eventually.Until(() => Task.FromResult(Lines().Length), n => n >= count || watching.IsCompleted, TimeSpan.FromSeconds(60), $"{count} completions");
        await stop.CancelAsync();
        var exit = await watching.WaitAsync(TimeSpan.FromSeconds(10));
        var run = new CliRun(exit, output.ToString(), error.ToString());
        return (run, Lines().Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList());
    }
}
