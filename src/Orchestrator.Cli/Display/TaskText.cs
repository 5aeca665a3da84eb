using System.Globalization;
using System.Text;
using Orchestrator.Events;
using Orchestrator.Tasks;

namespace Orchestrator.Cli.Display;

/// <summary>How a task reads for a person: a block for <c>get</c>/<c>submit</c>, one line for <c>watch</c> and <c>list</c>.</summary>
public static class TaskText
{
    public static string Block(TaskView task)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"task {task.Id}  {task.Status.WireName()}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {task.Provider} {task.Kind} {task.Model}\n");
        if (task.BatchId is { } batch) text.Append(CultureInfo.InvariantCulture, $"  batch {batch} line {task.BatchLine}\n");
        text.Append(CultureInfo.InvariantCulture, $"  created   {task.CreatedAt:u}\n");
        if (task.CompletedAt is { } completed) text.Append(CultureInfo.InvariantCulture, $"  completed {completed:u}\n");
        foreach (var r in task.Results)
        {
            text.Append(CultureInfo.InvariantCulture, $"  result {r.Index}: {r.Kind} {r.StoredUrl ?? r.Url}");
            if (r.Bytes is { } bytes) text.Append(CultureInfo.InvariantCulture, $" ({bytes} bytes)");
            text.Append('\n');
        }
        if (task.Error is { } e) text.Append(CultureInfo.InvariantCulture, $"  error {e.Code}: {e.Message}\n");
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>"offset  completed-at  status  id  provider/model  outcome", for <c>watch</c>.</summary>
    public static string Line(TaskCompletion completion)
    {
        var t = completion.Task;
        var at = t.CompletedAt is { } c ? c.ToString("u", CultureInfo.InvariantCulture) : "";
        return $"{completion.Offset,8}  {at}  {t.Status.WireName(),-9}  {t.Id}  {t.Provider}/{t.Model}  {Outcome(t)}";
    }

    /// <summary>"id  status  provider/kind/model  created-at  outcome", for <c>list</c>.</summary>
    public static string ListLine(TaskView t) =>
        $"{t.Id}  {t.Status.WireName(),-10}  {t.Provider}/{t.Kind}/{t.Model}  {t.CreatedAt.ToString("u", CultureInfo.InvariantCulture)}  " +
        (t.HasEnded ? Outcome(t) : "");

    private static string Outcome(TaskView t) => t.Error is { } e ? $"{e.Code}: {e.Message}" : $"{t.Results.Count} result(s)";

    /// <summary>"1m05s", "42s", "2h03m": short enough for a progress line.</summary>
    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m"
            : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:00}s"
            : $"{span.Seconds}s";
    }
}
