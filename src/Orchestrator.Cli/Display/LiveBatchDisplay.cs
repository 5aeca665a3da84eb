using Orchestrator.Batches;
using Orchestrator.Tasks;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Display;

/// <summary>
/// The batch's progress drawn in place on a terminal (Spectre.Console's live display): a bar split by status (a
/// textual bar and the counts on a terminal without colour), the rate and ETA as the server measures them.
/// </summary>
public static class LiveBatchDisplay
{
    /// <summary>Characters between the brackets of the textual bar.</summary>
    public const int BarWidth = 40;

    private static readonly Dictionary<TaskLifecycle, Color> StatusColors = new()
    {
        [TaskLifecycle.Accepted] = Color.Grey,
        [TaskLifecycle.Submitting] = Color.SteelBlue,
        [TaskLifecycle.Submitted] = Color.DodgerBlue1,
        [TaskLifecycle.Processing] = Color.Aqua,
        [TaskLifecycle.Succeeded] = Color.Green,
        [TaskLifecycle.Failed] = Color.Red,
        [TaskLifecycle.TimedOut] = Color.Orange1,
        [TaskLifecycle.Cancelled] = Color.Purple,
    };

    /// <summary>Runs <paramref name="poll"/>, redrawing on every sample it reports, and leaves the last drawing on screen.</summary>
    /// <param name="terminal">Where to draw.</param>
    /// <param name="colour">Whether the terminal shows colour; null detects it (NO_COLOR, TERM).</param>
    /// <param name="poll">Polls the batch until it ends, reporting each sample.</param>
    public static async Task<BatchView> RunAsync(TextWriter terminal, bool? colour, Func<Action<BatchView>, Task<BatchView>> poll)
    {
        var console = Console(terminal, colour);
        var coloured = console.Profile.Capabilities.ColorSystem != ColorSystem.NoColors;
        BatchView? last = null;
        await console.Live(new Text("reading the batch's progress…"))
            .AutoClear(false)
            .StartAsync(async live =>
            {
                last = await poll(p =>
                {
                    live.UpdateTarget(Render(p, coloured));
                    live.Refresh();
                });
            });
        return last!;
    }

    /// <summary>A Spectre console on <paramref name="terminal"/>; without colour when <paramref name="colour"/> is false.</summary>
    public static IAnsiConsole Console(TextWriter terminal, bool? colour) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(terminal),
        ColorSystem = colour == false ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
    });

    /// <summary>One drawing of the progress: with colour a bar split by status, without it a textual bar.</summary>
    public static IRenderable Render(BatchView p, bool colour)
    {
        var header = new Markup(
            $"[bold]batch {Markup.Escape(p.BatchId)}[/]  {p.Ended}/{p.Total} ended ({BatchText.Percent(p)})  " +
            $"{BatchText.Rate(p)}  ETA {Markup.Escape(BatchText.Eta(p))}" + (p.Cancelled ? "  [purple]cancelled[/]" : ""));
        if (p.Total == 0) return header;
        // Spectre's chart tells its segments apart only by colour: without colour it would look full at 0%.
        if (!colour) return new Rows(header, new Text(BatchText.Bar(p, BarWidth)), new Text(BatchText.Counts(p)));
        var chart = new BreakdownChart().FullSize().ShowTagValues();
        foreach (var status in Views.AllStatuses)
            if (p.Count(status) > 0) chart.AddItem(status.WireName(), p.Count(status), StatusColors[status]);
        return new Rows(header, chart);
    }
}
