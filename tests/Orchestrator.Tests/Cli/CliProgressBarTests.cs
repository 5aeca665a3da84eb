using Orchestrator.Batches;
using Orchestrator.Cli;
using Orchestrator.Cli.Display;

namespace Orchestrator.Tests.Cli;

/// <summary>
/// <c>batch --wait</c>'s live bar on a terminal without colour: Spectre draws a status-split bar only in colour, so
/// without it every segment looks alike and the bar looks full at 0%.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class CliProgressBarTests(CliServer cli) : IDisposable
{
    private readonly Support.TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Without_colour_the_bar_is_empty_at_0_percent_and_half_full_at_50()
    {
        var empty = Drawn(Batch(total: 10, ("accepted", 10)));
        Assert.Contains("[" + new string('.', 40) + "] 0%", empty);
        Assert.DoesNotContain("█", empty);

        var half = Drawn(Batch(total: 10, ("processing", 5), ("succeeded", 4), ("failed", 1)));
        Assert.Contains("[" + new string('#', 20) + new string('.', 20) + "] 50%", half);
    }

    [Fact]
    public async Task Batch_wait_on_a_terminal_without_colour_ends_with_a_full_textual_bar()
    {
        var file = Path.Combine(_files.Path, "bar.jsonl");
        File.WriteAllText(file, """{"provider":"simulator","kind":"text-to-image","model":"kling-v1-5","prompt":"bar"}""" + "\n");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CliApp.RunAsync(["--server", cli.Url, "batch", file, "--wait", "--poll-interval", "0.2"],
            new CliConsole(output, error, IsTerminal: true, Colour: false));

        Assert.True(exit == 0, $"{output}\n{error}");
        Assert.Contains("[" + new string('#', 40) + "] 100%", output.ToString());
        Assert.DoesNotContain("█", output.ToString());
    }

    [Fact]
    public void The_eta_is_the_servers_and_unknown_until_the_server_can_tell()
    {
        Assert.Equal("unknown", BatchText.Eta(Batch(total: 3, ("accepted", 3))));
        Assert.Equal("40s", BatchText.Eta(Batch(total: 50, ("accepted", 48), ("succeeded", 2)) with { EtaSeconds = 40 }));
        Assert.Equal("done", BatchText.Eta(Batch(total: 2, ("succeeded", 2))));
    }

    private static BatchView Batch(int total, params (string Status, int Count)[] counts)
    {
        var ended = counts.Where(c => c.Status is "succeeded" or "failed" or "timed_out" or "cancelled").Sum(c => c.Count);
        return new BatchView("b1", DateTimeOffset.UtcNow, total, 0, counts.ToDictionary(c => c.Status, c => c.Count), ended, false, 0, null, null);
    }

    private static string Drawn(BatchView batch)
    {
        var terminal = new StringWriter();
        LiveBatchDisplay.Console(terminal, colour: false).Write(LiveBatchDisplay.Render(batch, colour: false));
        return terminal.ToString();
    }
}
