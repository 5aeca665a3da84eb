using Orchestrator.Cluster;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Tasks.Lifecycle;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// Cluster mode's sleeping tasks live as rows of the shared database: the waker reads the due ones in bounded pages,
/// earliest first, and deletes only what it handed over. Runs on SQLite (the same SQL as PostgreSQL's).
/// </summary>
public sealed class TaskWakeUpTableTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly TestStore _store = TestStores.Sqlite();

    private async Task<TaskWakeUpTable> TableAsync()
    {
        var db = new ReadModelDatabase(_store.Storage);
        await db.EnsureSchemaAsync(CancellationToken.None);
        return new TaskWakeUpTable(db);
    }

    private static TaskResume ResumeAt(int seconds, int polls = 3) =>
        new(At.AddSeconds(seconds), At.AddSeconds(seconds), TaskLifecycle.Processing, polls, 1, 2, At.AddSeconds(-5));

    [Fact]
    public async Task The_due_page_holds_the_earliest_due_tasks_first_and_no_more_than_asked()
    {
        var table = await TableAsync();
        await table.SleepAsync("c", ResumeAt(30), CancellationToken.None);
        await table.SleepAsync("a", ResumeAt(10), CancellationToken.None);
        await table.SleepAsync("b", ResumeAt(20), CancellationToken.None);
        await table.SleepAsync("later", ResumeAt(100), CancellationToken.None);

        var page = await table.DueAsync(At.AddSeconds(60), 2, CancellationToken.None);

        Assert.Equal(["a", "b"], page.Select(r => r.TaskId));
        Assert.Equal(ResumeAt(10), page[0].Resume);
        Assert.Equal(3, (await table.DueAsync(At.AddSeconds(60), 10, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_task_that_sleeps_again_has_one_row_with_its_latest_wake()
    {
        var table = await TableAsync();
        await table.SleepAsync("a", ResumeAt(10, polls: 1), CancellationToken.None);
        await table.SleepAsync("a", ResumeAt(40, polls: 2), CancellationToken.None);

        Assert.Empty(await table.DueAsync(At.AddSeconds(20), 10, CancellationToken.None));
        var due = Assert.Single(await table.DueAsync(At.AddSeconds(40), 10, CancellationToken.None));
        Assert.Equal(2, due.Resume.Polls);
    }

    [Fact]
    public async Task Handing_over_deletes_the_rows_read_but_not_a_newer_sleep_of_the_same_task()
    {
        var table = await TableAsync();
        await table.SleepAsync("a", ResumeAt(10), CancellationToken.None);
        await table.SleepAsync("b", ResumeAt(10), CancellationToken.None);
        var page = await table.DueAsync(At.AddSeconds(10), 10, CancellationToken.None);
        // Meanwhile a callback woke "b" early and it fell asleep again.
        await table.SleepAsync("b", ResumeAt(50), CancellationToken.None);

        await table.HandedOverAsync(page, CancellationToken.None);

        Assert.Equal(1, await table.CountAsync(CancellationToken.None));
        Assert.Equal("b", Assert.Single(await table.DueAsync(At.AddSeconds(50), 10, CancellationToken.None)).TaskId);
    }

    public void Dispose() => _store.Dispose();
}
