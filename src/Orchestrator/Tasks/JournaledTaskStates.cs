using Akka.Actor;
using Orchestrator.ReadModel;
using static Orchestrator.ReadModel.TaskProjectionWriter;

namespace Orchestrator.Tasks;

/// <summary>
/// Many tasks' states folded from the journal in one query per few hundred tasks, for a restart: replaying each task
/// in its own actor is a journal read per task, and with 100,000 unfinished tasks those reads were most of the
/// restart (<see cref="TaskSupervisor"/> puts the tasks read here straight to sleep).
/// </summary>
internal sealed class JournaledTaskStates(ActorSystem system, ReadModelDatabase db)
{
    /// <summary>Ids a query names at most (SQLite's and PostgreSQL's parameter limits are far above it).</summary>
    public const int MaxPerRead = 500;

    /// <param name="TaskId">The task.</param>
    /// <param name="SequenceNr">Its highest journaled sequence number: the actor continues from it without asking.</param>
    /// <param name="State">Its events folded as its actor's recovery folds them.</param>
    public sealed record Recovered(string TaskId, long SequenceNr, TaskState State);

    /// <summary>The tasks of <paramref name="taskIds"/> that have journaled events (an id without any is left out).</summary>
    public async Task<IReadOnlyList<Recovered>> ReadAsync(IReadOnlyList<string> taskIds, CancellationToken ct)
    {
        if (taskIds.Count > MaxPerRead) throw new ArgumentOutOfRangeException(nameof(taskIds), taskIds.Count, $"At most {MaxPerRead} ids a read.");
        var recovered = new List<Recovered>(taskIds.Count);
        if (taskIds.Count == 0) return recovered;
        var serialization = system.Serialization;
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        // Deleted rows are read too, for the highest sequence number (a write must continue after it), but not folded.
        cmd.CommandText = "SELECT persistence_id, sequence_number, deleted, message, manifest, identifier FROM journal WHERE persistence_id IN ("
            + string.Join(",", taskIds.Select((_, i) => "@p" + i)) + ") ORDER BY persistence_id, sequence_number";
        for (var i = 0; i < taskIds.Count; i++) Add(cmd, "@p" + i, TaskIds.PersistenceId(taskIds[i]));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        string? current = null;
        long sequenceNr = 0;
        var state = TaskState.Empty;
        while (await reader.ReadAsync(ct))
        {
            var persistenceId = reader.GetString(0);
            if (persistenceId != current)
            {
                if (current is not null) recovered.Add(new Recovered(TaskIds.FromPersistenceId(current), sequenceNr, state));
                (current, state) = (persistenceId, TaskState.Empty);
            }
            sequenceNr = reader.GetInt64(1);
            if (Convert.ToBoolean(reader.GetValue(2))) continue;
            if (Persistence.JournalRowPayload.Read(reader, message: 3, serialization) is ITaskEvent e) state = state.Apply(e);
        }
        if (current is not null) recovered.Add(new Recovered(TaskIds.FromPersistenceId(current), sequenceNr, state));
        return recovered;
    }
}
