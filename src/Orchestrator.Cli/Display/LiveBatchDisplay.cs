using Orchestrator.Cli.Wire;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Display;

/// <summary>
/// The batch's progress drawn in place on a terminal (Spectre.Console's live display): a bar split by status, the
/// counts, rate and ETA as the server measures them.
/// </summary>
public static class LiveBatchDisplay
{
    private static readonly Dictionary<string, Color> StatusColors = new()
    {
        ["accepted"] = Color.Grey,
        ["submitting"] = Color.SteelBlue,
        ["submitted"] = Color.DodgerBlue1,
        ["processing"] = Color.Aqua,
        [TaskStatuses.Succeeded] = Color.Green,
        [TaskStatuses.Failed] = Color.Red,
        [TaskStatuses.TimedOut] = Color.Orange1,
        [TaskStatuses.Cancelled] = Color.Purple,
    };

    /// <summary>Runs <paramref name="poll"/>, redrawing on every sample it reports, and leaves the last drawing on screen.</summary>
    public static async Task<BatchProgress> RunAsync(TextWriter terminal, Func<Action<BatchProgress>, Task<BatchProgress>> poll)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(terminal) });
        BatchProgress? last = null;
        await console.Live(new Text("reading the batch's progress…"))
            .AutoClear(false)
            .StartAsync(async live =>
            {
                last = await poll(p =>
                {
                    live.UpdateTarget(Render(p));
                    live.Refresh();
                });
            });
        return last!;
    }

    private static IRenderable Render(BatchProgress p)
    {
        var header = new Markup(
            $"[bold]batch {Markup.Escape(p.BatchId)}[/]  {p.Ended}/{p.Total} ended ({BatchText.Percent(p)})  " +
            $"{BatchText.Rate(p)}  ETA {Markup.Escape(BatchText.Eta(p))}" + (p.Cancelled ? "  [purple]cancelled[/]" : ""));
        var chart = new BreakdownChart().FullSize().ShowTagValues();
        foreach (var status in TaskStatuses.All)
            if (p.Count(status) > 0) chart.AddItem(status, p.Count(status), StatusColors[status]);
        return p.Total == 0 ? header : new Rows(header, chart);
    }
}
