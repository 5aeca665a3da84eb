using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Orchestrator.Contracts;
using Orchestrator.Tasks;

namespace Orchestrator.ReadModel;

/// <summary>The columns of an <c>orchestrator_tasks</c> row that a view is read back with (ticks are UTC).</summary>
internal sealed record TaskRowColumns(string Id, string Status, string Provider, string? ProviderTaskId, string? BatchId, int? BatchLine,
    long CreatedAt, long? EndedAt)
{
    /// <summary>The columns the projector writes for <paramref name="view"/>.</summary>
    public static TaskRowColumns Of(TaskView view) => new(view.Id, view.Status.WireName(), view.Provider, view.ProviderTaskId, view.BatchId,
        view.BatchLine, view.CreatedAt.UtcTicks, view.Status.IsTerminal() ? (view.CompletedAt ?? view.CreatedAt).UtcTicks : null);
}

/// <summary>
/// The stored form of a task's view in its read-model row: the API's own JSON less what a read fills in again, so a row
/// stays small for the months it is kept. Left out: nulls, zeros and falses; what the row's own columns hold (id, status,
/// provider, provider task id, batch and line, and the times when the columns give them back exactly); and each stored
/// result's URL when it is our relative <c>/v1/tasks/{id}/results/{index}</c> (<see cref="StoredResults"/>). Rows written
/// before, with all of it in the JSON, read the same: what the JSON holds wins over a column.
/// </summary>
internal static class StoredTaskView
{
    /// <summary>The columns a read selects, in the order <see cref="Read(DbDataReader, int)"/> takes them.</summary>
    public const string Columns = "id, status, provider, provider_task_id, batch_id, batch_line, created_at, ended_at, view";

    private static readonly JsonSerializerOptions Stored = new(WireJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault };

    private static readonly string[] InColumns = ["id", "status", "provider", "providerTaskId", "batchId", "batchLine"];

    private static readonly Dictionary<string, TaskLifecycle> ByWireName = Enum.GetValues<TaskLifecycle>().ToDictionary(s => s.WireName());

    public static string Write(TaskView view)
    {
        var json = JsonSerializer.SerializeToNode(view with { Results = StoredResults.Compact(view.Id, view.Results) }, Stored)!.AsObject();
        foreach (var name in InColumns) json.Remove(name);
        // A time read back from ticks is UTC: one with another offset keeps it by staying in the JSON.
        if (view.CreatedAt.Offset == TimeSpan.Zero) json.Remove("createdAt");
        if (view.Status.IsTerminal() && view.CompletedAt?.Offset == TimeSpan.Zero) json.Remove("completedAt");
        return json.ToJsonString(Stored);
    }

    public static TaskView Read(TaskRowColumns row, string json)
    {
        var stored = JsonSerializer.Deserialize<TaskView>(json, WireJson.Options)!;
        var status = ByWireName[row.Status];
        var completedAt = stored.CompletedAt ?? (status.IsTerminal() && row.EndedAt is { } ended ? new DateTimeOffset(ended, TimeSpan.Zero) : null);
        return stored with
        {
            Id = row.Id,
            Status = status,
            Provider = row.Provider,
            ProviderTaskId = row.ProviderTaskId,
            BatchId = row.BatchId,
            BatchLine = row.BatchLine,
            CreatedAt = stored.CreatedAt == default ? new DateTimeOffset(row.CreatedAt, TimeSpan.Zero) : stored.CreatedAt,
            CompletedAt = completedAt,
            Results = StoredResults.Expand(row.Id, stored.Results),
        };
    }

    /// <summary>Reads the <see cref="Columns"/> from <paramref name="first"/> on.</summary>
    public static TaskView Read(DbDataReader r, int first = 0) => Read(new TaskRowColumns(
        r.GetString(first), r.GetString(first + 1), r.GetString(first + 2), NullableString(r, first + 3), NullableString(r, first + 4),
        r.IsDBNull(first + 5) ? null : Convert.ToInt32(r.GetValue(first + 5)), Convert.ToInt64(r.GetValue(first + 6)),
        r.IsDBNull(first + 7) ? null : Convert.ToInt64(r.GetValue(first + 7))), r.GetString(first + 8));

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
