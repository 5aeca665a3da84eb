using System.Data.Common;
using System.Runtime.CompilerServices;
using Orchestrator.Tasks;
using static Orchestrator.ReadModel.TaskProjectionWriter;

namespace Orchestrator.ReadModel;

/// <summary>
/// Every read of tasks: one task, lists, a batch's tasks and tallies, what is unfinished. Rows come from
/// <c>orchestrator_tasks</c>, overlaid by <see cref="LiveTaskViews"/> for tasks running on this node; no read wakes a
/// task actor or goes through an actor's mailbox. Reads wait until the projector has caught up at start, so a restart
/// never answers from a half-read journal.
/// </summary>
internal sealed class TaskReadModel(ReadModelDatabase db, LiveTaskViews live, ProjectionProgress progress)
{
    public ProjectionProgress Progress => progress;

    public ReadModelDatabase Database => db;

    public async Task<TaskView?> GetAsync(string taskId, CancellationToken ct)
    {
        if (live.Find(taskId) is { } running) return running;
        await progress.CaughtUp.WaitAsync(ct);
        if (live.Find(taskId) is { } started) return started;
        return await GetStoredAsync(taskId, ct) is { } stored ? live.Overlay(stored) : null;
    }

    /// <summary>The task's view once its end is in the read model (at once if it is); null for a task that does not exist.</summary>
    public async Task<TaskView?> WaitForEndAsync(string taskId, TimeSpan timeout, CancellationToken ct)
    {
        var ended = progress.WhenEnded(taskId);
        try
        {
            await progress.CaughtUp.WaitAsync(ct);
            // A running actor's view shows an end only once it is journaled: as good as the row, and sooner.
            if (live.Find(taskId) is { } running && running.Status.IsTerminal()) return running;
            var view = await GetStoredAsync(taskId, ct);
            if (view?.Status.IsTerminal() == true) return view;
            if (view is null && live.Find(taskId) is null) return null;
            return await ended.WaitAsync(timeout, ct);
        }
        finally
        {
            progress.Forget(taskId);
        }
    }

    /// <summary>The task's row as the projector wrote it (no live overlay): what the journal says.</summary>
    public async Task<TaskView?> GetStoredAsync(string taskId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = Command(connection, $"SELECT {StoredTaskView.Columns} FROM orchestrator_tasks WHERE id = @id", ("@id", taskId));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? StoredTaskView.Read(reader) : null;
    }

    /// <summary>How long a list waits for the projector to write what the journal holds before it answers anyway.</summary>
    public static readonly TimeSpan SettleWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Lists read their own writes: a task accepted before the request is in the list. So wait (up to
    /// <see cref="SettleWait"/>, then answer with what is there) until the projector has written every task event the
    /// journal holds now; its tag table (Akka.Persistence.Sql's, indexed on tag and ordering) says how far that is.
    /// </summary>
    private Task SettleAsync(DbConnection connection, CancellationToken ct) => SettleAsync(connection, SettleWait, ct);

    /// <summary>
    /// Waits up to <paramref name="within"/> until the projector has written every task event the journal holds now
    /// (a node's removal waits for this before it reads the unfinished index). False when it was still behind.
    /// </summary>
    public async Task<bool> SettleAsync(TimeSpan within, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await SettleAsync(connection, within, ct);
    }

    private async Task<bool> SettleAsync(DbConnection connection, TimeSpan within, CancellationToken ct)
    {
        long head;
        try
        {
            await using var cmd = Command(connection, "SELECT MAX(ordering_id) FROM tags WHERE tag = @tag", ("@tag", GenerationTask.JournalTag));
            head = await cmd.ExecuteScalarAsync(ct) is { } v and not DBNull ? Convert.ToInt64(v) : 0;
        }
        catch (DbException)
        {
            return true; // no journal tables yet: nothing written
        }
        try
        {
            await progress.WhenAtLeastAsync(head).WaitAsync(within, ct);
            return true;
        }
        catch (TimeoutException)
        {
            // The projector is behind (a burst of writes): a slightly stale page beats a slow one.
            return false;
        }
    }

    /// <summary>A page, newest first; null when <c>After</c> names no task.</summary>
    public async Task<TaskPage?> ListAsync(ListTasks q, CancellationToken ct)
    {
        await progress.CaughtUp.WaitAsync(ct);
        await using var connection = await db.OpenAsync(ct);
        await SettleAsync(connection, ct);
        var where = new List<string>();
        var args = new List<(string, object)> { ("@limit", q.Limit + 1) };
        if (q.After is { } after)
        {
            await using var find = Command(connection, "SELECT created_at FROM orchestrator_tasks WHERE id = @id", ("@id", after));
            var createdAt = await find.ExecuteScalarAsync(ct);
            if (createdAt is null or DBNull) return null;
            where.Add("(created_at < @after_at OR (created_at = @after_at AND id < @after_id))");
            args.Add(("@after_at", Convert.ToInt64(createdAt)));
            args.Add(("@after_id", after));
        }
        if (q.Status is { } status) { where.Add("status = @status"); args.Add(("@status", status.WireName())); }
        if (q.Provider is { } provider) { where.Add("LOWER(provider) = @provider"); args.Add(("@provider", provider.ToLowerInvariant())); }
        if (q.Tenant is { } tenant) { where.Add("tenant = @tenant"); args.Add(("@tenant", tenant)); }
        if (q.Batch is { } batch) { where.Add("batch_id = @batch"); args.Add(("@batch", batch)); }
        var sql = $"SELECT {StoredTaskView.Columns} FROM orchestrator_tasks" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")
            + " ORDER BY created_at DESC, id DESC LIMIT @limit";
        await using var cmd = Command(connection, sql, args.ToArray());
        var items = new List<TaskView>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) items.Add(live.Overlay(StoredTaskView.Read(reader)));
        var more = items.Count > q.Limit;
        if (more) items.RemoveAt(items.Count - 1);
        return new TaskPage(items, more ? items[^1].Id : null);
    }

    /// <summary>Tasks accepted since <paramref name="since"/> by status (the index on acceptance time bounds the scan).</summary>
    public async Task<IReadOnlyDictionary<TaskLifecycle, int>> CountAsync(DateTimeOffset since, string? tenant, CancellationToken ct)
    {
        await progress.CaughtUp.WaitAsync(ct);
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = Command(connection, "SELECT status, COUNT(*) FROM orchestrator_tasks WHERE created_at >= @since"
            + (tenant is null ? "" : " AND tenant = @tenant") + " GROUP BY status",
            tenant is null ? [("@since", since.UtcTicks)] : [("@since", since.UtcTicks), ("@tenant", tenant)]);
        var counts = new Dictionary<TaskLifecycle, int>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) counts[ByWireName[reader.GetString(0)]] = Convert.ToInt32(reader.GetValue(1));
        return counts;
    }

    /// <summary>The upload lines of a batch's tasks that have started (or, with <paramref name="endedOnly"/>, ended).</summary>
    public async Task<IReadOnlySet<int>> BatchLinesAsync(string batchId, bool endedOnly, CancellationToken ct)
    {
        await progress.CaughtUp.WaitAsync(ct);
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = Command(connection, "SELECT batch_line FROM orchestrator_tasks WHERE batch_id = @b AND batch_line IS NOT NULL"
            + (endedOnly ? " AND ended_at IS NOT NULL" : ""), ("@b", batchId));
        var lines = new HashSet<int>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) lines.Add(reader.GetInt32(0));
        return lines;
    }

    /// <summary>The batch's tasks that ended with one of <paramref name="statuses"/>: upload line and task id.</summary>
    public async Task<IReadOnlyDictionary<int, string>> BatchTasksEndedAsAsync(string batchId, IReadOnlyCollection<TaskLifecycle> statuses, CancellationToken ct)
    {
        await progress.CaughtUp.WaitAsync(ct);
        await using var connection = await db.OpenAsync(ct);
        var names = statuses.Select((s, i) => ("@s" + i, (object)s.WireName())).ToList();
        await using var cmd = Command(connection, $"SELECT batch_line, id FROM orchestrator_tasks WHERE batch_id = @b AND batch_line IS NOT NULL AND status IN ({string.Join(",", names.Select(n => n.Item1))})",
            [("@b", batchId), .. names]);
        var tasks = new SortedDictionary<int, string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) tasks[reader.GetInt32(0)] = reader.GetString(1);
        return tasks;
    }

    public async Task<BatchTally> BatchTallyAsync(string batchId, CancellationToken ct)
    {
        await progress.CaughtUp.WaitAsync(ct);
        await using var connection = await db.OpenAsync(ct);
        // Read its own writes, as lists do: a task already journaled but not yet projected would be counted with the lines
        // still queued (cancelled, in a cancelled batch), and the next read would take it back: progress going backwards.
        await SettleAsync(connection, ct);
        await using var cmd = Command(connection, "SELECT status, COUNT(*), MAX(ended_at) FROM orchestrator_tasks WHERE batch_id = @b GROUP BY status", ("@b", batchId));
        var counts = new Dictionary<TaskLifecycle, int>();
        long? lastEnded = null;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                counts[ByWireName[reader.GetString(0)]] = Convert.ToInt32(reader.GetValue(1));
                if (!reader.IsDBNull(2)) lastEnded = Math.Max(lastEnded ?? 0, Convert.ToInt64(reader.GetValue(2)));
            }
        return new BatchTally(batchId, counts, counts.Values.Sum(), lastEnded is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null);
    }

    public async Task<BatchTaskPage> BatchPageAsync(ListBatchTasks q, CancellationToken ct)
    {
        await progress.CaughtUp.WaitAsync(ct);
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = Command(connection, $"SELECT {StoredTaskView.Columns} FROM orchestrator_tasks WHERE batch_id = @b AND batch_line > @after"
            + (q.EndedOnly ? " AND ended_at IS NOT NULL" : "") + " ORDER BY batch_line LIMIT @limit",
            ("@b", q.BatchId), ("@after", q.AfterLine), ("@limit", q.Limit + 1));
        var items = new List<TaskView>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) items.Add(live.Overlay(StoredTaskView.Read(reader)));
        var more = items.Count > q.Limit;
        if (more) items.RemoveAt(items.Count - 1);
        return new BatchTaskPage(items, more ? items[^1].BatchLine : null);
    }

    /// <summary>Unfinished tasks by the account they name (accounts compared without case).</summary>
    public async Task<IReadOnlyDictionary<string, int>> UnfinishedByAccountAsync(CancellationToken ct)
    {
        await progress.CaughtUp.WaitAsync(ct);
        await using var connection = await db.OpenAsync(ct);
        await SettleAsync(connection, ct);
        await using var cmd = Command(connection, "SELECT provider, COUNT(*) FROM orchestrator_tasks WHERE ended_at IS NULL GROUP BY provider");
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            counts[reader.GetString(0)] = counts.GetValueOrDefault(reader.GetString(0)) + Convert.ToInt32(reader.GetValue(1));
        return counts;
    }

    /// <summary>The ids of every unfinished task, through the index on unfinished rows (however much history there is).</summary>
    public async IAsyncEnumerable<string> UnfinishedIdsAsync([EnumeratorCancellation] CancellationToken ct, bool awakeOnly = false)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var cmd = Command(connection, "SELECT id FROM orchestrator_tasks t WHERE ended_at IS NULL" + (awakeOnly ? NotAsleep : ""));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return reader.GetString(0);
    }

    // Cluster mode's sleeping tasks have a wake-up row (Cluster/TaskWakeUpTable): the waker wakes them on time, and a
    // wake (or a question) sent now would start them early, without their polling progress.
    private const string NotAsleep = " AND NOT EXISTS (SELECT 1 FROM orchestrator_task_wakeups w WHERE w.task_id = t.id)";

    /// <summary>
    /// The unfinished tasks awake, and how many more are asleep in cluster mode, read in one statement (read apart, a task
    /// that fell asleep or woke between the two reads was counted twice or not at all) once the projector has written
    /// what the journal holds, as a list waits: a task accepted a moment ago on another node is among them.
    /// </summary>
    public async Task<(IReadOnlyList<string> Awake, int Asleep)> UnfinishedAwakeAndAsleepAsync(CancellationToken ct)
    {
        await progress.CaughtUp.WaitAsync(ct);
        await using var connection = await db.OpenAsync(ct);
        await SettleAsync(connection, ct);
        await using var cmd = Command(connection, "SELECT t.id, CASE WHEN EXISTS (SELECT 1 FROM orchestrator_task_wakeups w WHERE w.task_id = t.id) "
            + "THEN 1 ELSE 0 END FROM orchestrator_tasks t WHERE t.ended_at IS NULL");
        var awake = new List<string>();
        var asleep = 0;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            if (Convert.ToInt32(reader.GetValue(1)) == 1) asleep++;
            else awake.Add(reader.GetString(0));
        return (awake, asleep);
    }

    /// <summary>How far each task's own journal is projected (its last sequence number written into its row).</summary>
    public async Task<IReadOnlyDictionary<string, long>> ProjectedSeqsAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var seqs = new Dictionary<string, long>();
        await using var connection = await db.OpenAsync(ct);
        foreach (var chunk in ids.Chunk(500))
        {
            await using var cmd = Command(connection, $"SELECT id, task_seq FROM orchestrator_tasks WHERE id IN ({string.Join(",", chunk.Select((_, i) => "@i" + i))})",
                chunk.Select((id, i) => ("@i" + i, (object)id)).ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) seqs[reader.GetString(0)] = reader.GetInt64(1);
        }
        return seqs;
    }

    private static readonly Dictionary<string, TaskLifecycle> ByWireName = Enum.GetValues<TaskLifecycle>().ToDictionary(s => s.WireName());


    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] args)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) Add(cmd, name, value);
        return cmd;
    }
}
