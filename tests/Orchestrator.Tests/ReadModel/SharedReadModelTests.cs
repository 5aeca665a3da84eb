using Akka.Persistence.Query;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.ReadModel;

/// <summary>
/// Cluster mode's read model: every node's projector writes the same rows of one PostgreSQL database, each cutting the
/// journal into pages at its own places. None of them may fail for the others: a projector that stops leaves its node's
/// reads (and the resumption of a dead node's tasks) behind the journal.
/// </summary>
public sealed class SharedReadModelTests
{
    private const int Tasks = 200;

    [PostgresFact]
    public async Task Nodes_starting_together_on_an_empty_database_all_create_the_read_model_schema_without_error()
    {
        using var store = TestStores.Postgres();
        // Three nodes of a docker-compose start at once: each creates the tables and indexes it finds missing.
        var failures = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            try
            {
                await new ReadModelDatabase(store.Storage).EnsureSchemaAsync(CancellationToken.None);
                return null;
            }
            catch (Exception ex) { return ex.Message; }
        })));

        // Before: "duplicate key value violates unique constraint pg_type_typname_nsp_index" for all but one.
        Assert.All(failures, Assert.Null);
    }

    [PostgresFact]
    public async Task Projectors_writing_the_same_rows_in_differently_cut_pages_all_succeed()
    {
        using var store = TestStores.Postgres();
        var db = new ReadModelDatabase(store.Storage);
        await db.EnsureSchemaAsync(CancellationToken.None);
        var at = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

        for (var round = 0; round < 3; round++)
        {
            // Each task's accepted, submitted and succeeded events, a round of every task apart: a page that starts mid-round
            // meets the tasks in another order than a page that starts at its beginning.
            var ids = Enumerable.Range(0, Tasks).Select(i => $"{round:x2}{i:x30}").ToList();
            var journal = new List<EventEnvelope>();
            ITaskEvent Event(int step, string id) => step switch
            {
                0 => new TaskAccepted(id, TaskActors.Image(), at),
                1 => new TaskSubmitted(id, "p-" + id, 1, at.AddSeconds(1)),
                _ => new TaskSucceeded(id, [new TaskResult(0, "https://r/0", "image")], 1, at.AddSeconds(2)),
            };
            for (var step = 0; step < 3; step++)
                foreach (var id in ids)
                    journal.Add(new EventEnvelope(Offset.Sequence(round * 3 * Tasks + journal.Count + 1), TaskIds.PersistenceId(id), step + 1, Event(step, id), 0, ["task"]));

            // Three nodes, each with its own first page, then pages of 150 events.
            var failures = await Task.WhenAll(new[] { 150, 75, 40 }.Select(first => Task.Run(async () =>
            {
                var writer = new TaskProjectionWriter(db);
                try
                {
                    await writer.WriteAsync(journal[..first], CancellationToken.None);
                    foreach (var page in journal[first..].Chunk(150)) await writer.WriteAsync(page, CancellationToken.None);
                    return null;
                }
                catch (Exception ex) { return ex.Message; }
            })));

            Assert.All(failures, Assert.Null);
            var reads = new TaskReadModel(db, new LiveTaskViews(), ReadModelTests.CaughtUp());
            foreach (var id in ids) Assert.Equal(TaskLifecycle.Succeeded, (await reads.GetStoredAsync(id, CancellationToken.None))!.Status);
        }
    }
}
