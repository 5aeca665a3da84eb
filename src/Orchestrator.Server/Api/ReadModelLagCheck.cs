using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>
/// The read model has caught up within a bound: every task event the journal held <c>bound</c> ago is in the read model
/// now. A busy journal always runs a little ahead of its projection, so "behind" alone says nothing; a position seen in
/// the journal and still not reached after the bound means lists, GETs and the event stream show stale tasks.
/// </summary>
internal sealed class ReadModelLagCheck(ReadModelDatabase database, ProjectionProgress progress, TimeSpan bound) : IHealthCheck
{
    private readonly object _gate = new();
    private (long Head, long SeenAt)? _target; // a journal position the projection had not reached, and when it was seen

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        if (!progress.CaughtUp.IsCompleted) return HealthCheckResult.Unhealthy("catching up with the journal at start");
        long head;
        try
        {
            await using var connection = await database.OpenAsync(ct);
            await using var cmd = connection.CreateCommand();
            // The tag table's (tag, ordering_id) index makes this a single index read.
            cmd.CommandText = $"SELECT MAX(ordering_id) FROM tags WHERE tag = '{GenerationTask.JournalTag}'";
            head = await cmd.ExecuteScalarAsync(ct) is { } v and not DBNull ? Convert.ToInt64(v) : 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"the journal's position cannot be read ({ex.GetType().Name})");
        }
        var offset = progress.Offset;
        var data = new Dictionary<string, object> { ["journalOffset"] = head, ["readModelOffset"] = offset };
        lock (_gate)
        {
            if (offset >= head)
            {
                _target = null;
                return HealthCheckResult.Healthy("caught up", data);
            }
            if (_target is not { } target || offset >= target.Head) _target = target = (head, Stopwatch.GetTimestamp());
            var behindFor = Stopwatch.GetElapsedTime(target.SeenAt);
            data["behindSeconds"] = Math.Round(behindFor.TotalSeconds, 1);
            return behindFor <= bound
                ? HealthCheckResult.Healthy($"{head - offset} journal position(s) behind, within the {bound.TotalSeconds:0} s bound", data)
                : HealthCheckResult.Unhealthy($"has not reached journal position {target.Head} seen {behindFor.TotalSeconds:0} s ago (bound {bound.TotalSeconds:0} s)", data: data);
        }
    }
}
