using System.Net.Http.Json;
using Orchestrator.Cluster;
using Orchestrator.ReadModel;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// Sleeping tasks in cluster mode: a task waiting seconds for its next poll stops its actor and leaves a row in the
/// shared database, and the cluster's one waker starts it again on time wherever its shard lives, with its polling
/// progress. A node killed while its tasks sleep loses nothing: their rows are woken by the survivor.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSleepingTests(ITestOutputHelper output)
{
    private const int Tasks = 20;

    [PostgresFact]
    public async Task Tasks_sleep_between_polls_on_both_nodes_and_all_succeed_after_a_node_dies_while_they_sleep()
    {
        using var store = TestStores.Postgres();
        // Each provider task runs 8 to 10 s; the first poll comes after 3 s and the next every 2 to 3 s: every wait is
        // longer than the 1 s a task sleeps through.
        await using var sim = await ClusterNodes.StartSimulatorAsync(qps: 50, concurrency: 50, minSeconds: 8, maxSeconds: 10);
        using var cluster = new ClusterNodes("sleeping", store, sim.BaseUrl, 2, qps: 50, concurrency: 50,
            "--Orchestrator:Tasks:SleepWhenWaitingSeconds=1",
            "--Orchestrator:Polling:ImagePriorSeconds=3",
            "--Orchestrator:Polling:ImageFloorSeconds=2",
            "--Orchestrator:Polling:CapSeconds=3");
        await cluster.StartAsync(0);
        await cluster.StartAsync(1);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ids = new List<string>();
        for (var line = 0; line < Tasks; line++) ids.Add(await cluster.SubmitAsync("sleep", line));

        // Before: a node refused to start with SleepWhenWaitingSeconds above 0 in cluster mode. Each task sleeps until its
        // first poll, is woken for it, and sleeps again until the next: a poll for every task, and half of them asleep.
        var wakeUps = new TaskWakeUpTable(new ReadModelDatabase(store.Storage));
        var sleeping = await Eventually.Until(async () => (Polls: sim.Sim.Stats().Polls, Asleep: await wakeUps.CountAsync(CancellationToken.None)),
            s => s.Polls >= Tasks && s.Asleep >= Tasks / 2, TimeSpan.FromSeconds(30),
            s => $"every task to be woken for a poll and half to sleep again ({s.Polls} polls, {s.Asleep} asleep)\n{cluster.Tail()}");
        var dead = cluster.LowestAddressOfTwo; // the survivor stays up by the database lease (ClusterTwoNodesTests)
        cluster.Kill(dead);
        // Asleep now, with the node killed: each is woken by the cluster's waker (moved to the survivor if it ran on the
        // dead node) with the progress its row holds.
        var asleepAfterKill = await wakeUps.DueAsync(DateTimeOffset.MaxValue, Tasks, CancellationToken.None);
        output.WriteLine($"{sleeping.Asleep} tasks asleep after {sleeping.Polls} polls, {clock.Elapsed.TotalSeconds:0.0} s; node {dead} killed; {asleepAfterKill.Count} asleep then");

        var statuses = await cluster.WaitForEndAsync(ids, TimeSpan.FromSeconds(60));

        output.WriteLine($"every task ended after {clock.Elapsed.TotalSeconds:0.0} s; simulator: {sim.Sim.Stats()}");
        Assert.All(statuses.Values, s => Assert.Equal(TaskLifecycle.Succeeded, s));
        ClusterNodes.AssertEachTaskOnceWithinLimits(sim.Sim.Stats(), Tasks, 50);
        // Polls per task, for the log: a task asleep through the kill is woken by the waker with the progress its row holds,
        // but the resumer's wake of the dead node's awake tasks can reach one that fell asleep again since its read, which
        // then starts over from the journal (docs/cluster.md, "What is not done yet"): so no bound on them is asserted.
        var polls = new List<int>();
        foreach (var id in ids) polls.Add((await cluster.Up[0].Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json))!.Polls);
        output.WriteLine($"polls per task: {string.Join(" ", polls)}; {asleepAfterKill.Count} asleep right after the kill");
        Assert.NotEmpty(asleepAfterKill);
        // Nothing asleep is left behind: each row was handed over once due.
        await Eventually.Until(() => wakeUps.CountAsync(CancellationToken.None), n => n == 0, TimeSpan.FromSeconds(10), n => $"{n} wake-up rows left");
    }
}
