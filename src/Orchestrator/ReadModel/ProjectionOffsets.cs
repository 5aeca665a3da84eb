using System.Data.Common;
using static Orchestrator.ReadModel.TaskProjectionWriter;

namespace Orchestrator.ReadModel;

/// <summary>Each projector's stored offset in <c>orchestrator_projections</c>: read at start, written with every page it applies.</summary>
internal static class ProjectionOffsets
{
    public static async Task<long> LoadAsync(ReadModelDatabase db, string projection, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT last_offset FROM orchestrator_projections WHERE projection = @p";
        Add(cmd, "@p", projection);
        return await cmd.ExecuteScalarAsync(ct) is { } v and not DBNull ? Convert.ToInt64(v) : 0;
    }

    /// <summary>Moves the offset forward (never back) inside the page's transaction.</summary>
    public static async Task SaveAsync(DbConnection connection, DbTransaction tx, string projection, long offset, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO orchestrator_projections (projection, last_offset) VALUES (@p, @o)
            ON CONFLICT (projection) DO UPDATE SET last_offset = excluded.last_offset
            WHERE orchestrator_projections.last_offset < excluded.last_offset
            """;
        Add(cmd, "@p", projection);
        Add(cmd, "@o", offset);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
