using System.Net.Http.Json;
using Orchestrator.Simulator;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// Cluster mode as an operator runs it, as processes on 127.0.0.1: nodes of one cluster on one PostgreSQL database,
/// against a standalone simulator. Each node has its own HTTP and remoting ports and its own result folder; they share
/// the seed list, the callback secret and the key ring. A client of the cluster sends to the nodes that are up
/// (<see cref="SubmitAsync"/>, <see cref="WaitForEndAsync"/>), as a load balancer in front of them would.
/// </summary>
public sealed class ClusterNodes : IDisposable
{
    private readonly TestStore _store;
    private readonly string _name;
    private readonly string[] _extra;
    private readonly int[] _remotingPorts;
    private readonly HashSet<int> _gone = [];

    /// <param name="name">Names the nodes' logs kept as test artifacts.</param>
    /// <param name="qps">The simulator account's QPS, as every node is told it (and the simulator should enforce it).</param>
    /// <param name="concurrency">Its concurrent tasks, likewise; 0 leaves the node's default.</param>
    /// <param name="extra">More settings every node gets (another provider account, say).</param>
    public ClusterNodes(string name, TestStore store, string simulatorBaseUrl, int size, int qps, int concurrency = 0, params string[] extra)
    {
        _name = name;
        _store = store;
        _remotingPorts = Enumerable.Range(0, size).Select(_ => ServerProcess.FreePort()).ToArray();
        _extra =
        [
            $"--Orchestrator:Providers:simulator:BaseUrl={simulatorBaseUrl}",
            $"--Orchestrator:Providers:simulator:Qps={qps}",
            .. concurrency > 0 ? [$"--Orchestrator:Providers:simulator:MaxConcurrentTasks={concurrency}"] : Array.Empty<string>(),
            .. extra,
        ];
    }

    /// <summary>A standalone simulator enforcing the account's limits on its own rolling window, as a provider would.</summary>
    public static Task<SimulatorServer> StartSimulatorAsync(int qps, int concurrency, double minSeconds = 0.2, double maxSeconds = 0.5) =>
        SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = minSeconds, ImageMaxSeconds = maxSeconds, QpsLimit = qps, ConcurrencyLimit = concurrency });

    public List<ServerProcess?> Nodes { get; } = [];

    /// <summary>
    /// Of two nodes, the one with the lowest address (the lower remoting port, both being on 127.0.0.1): the one
    /// keep-majority kept when they lost each other, even when it was the one that had died.
    /// </summary>
    public int LowestAddressOfTwo => _remotingPorts[0] < _remotingPorts[1] ? 0 : 1;

    /// <summary>The nodes a client sends to: started, and not killed or stopped by the test.</summary>
    public IReadOnlyList<ServerProcess> Up
    {
        get { lock (_gone) return Nodes.Select((n, i) => (n, i)).Where(x => x.n is not null && !_gone.Contains(x.i)).Select(x => x.n!).ToList(); }
    }

    /// <summary>Starts node <paramref name="index"/> (0-based; node 0 is the first seed, which forms the cluster alone).</summary>
    public async Task<ServerProcess> StartAsync(int index)
    {
        // A node starts its journal, read model and cluster membership: slower than a single node on a loaded machine.
        var node = await ServerProcess.StartAsync(ServerProcess.FreePort(), TimeSpan.FromSeconds(150), Args(index));
        lock (_gone)
        {
            while (Nodes.Count <= index) Nodes.Add(null);
            Nodes[index] = node;
            _gone.Remove(index);
        }
        return node;
    }

    /// <summary>SIGKILL to node <paramref name="index"/>, which clients stop sending to.</summary>
    public void Kill(int index)
    {
        lock (_gone) _gone.Add(index);
        Nodes[index]!.KillHard();
    }

    /// <summary>SIGTERM to node <paramref name="index"/> (clients stop sending to it first, as a load balancer drains it).</summary>
    public void Terminate(int index)
    {
        lock (_gone) _gone.Add(index);
        Nodes[index]!.Terminate();
    }

    public string[] Args(int index) =>
    [
        .. _store.ServerArgs,
        "--Simulator:InProcess=false",
        "--Orchestrator:Cluster:Enabled=true",
        "--Orchestrator:Cluster:Hostname=127.0.0.1",
        $"--Orchestrator:Cluster:Port={_remotingPorts[index]}",
        .. _remotingPorts.Select((p, i) => $"--Orchestrator:Cluster:SeedNodes:{i}=akka.tcp://orchestrator@127.0.0.1:{p}"),
        "--Orchestrator:Cluster:DownUnreachableAfterSeconds=3",
        "--Orchestrator:Callbacks:Secret=a-shared-callback-secret-of-the-test-cluster",
        $"--Orchestrator:KeyRingDirectory={Path.Combine(_store.Dir.Path, "keys")}",
        $"--Orchestrator:Results:Directory={Path.Combine(_store.Dir.Path, $"node{index}", "results")}",
        "--Orchestrator:Results:Enabled=false",
        "--Orchestrator:Polling:ImageFloorSeconds=0.5",
        "--Orchestrator:Polling:CapSeconds=1",
        "--Orchestrator:Polling:ImagePriorSeconds=0.5",
        // Membership changes and resumptions are logged at Info: what a failure needs explained.
        "--Orchestrator:AkkaLogLevel=Info",
        "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff ",
        .. _extra,
    ];

    /// <summary>
    /// Submits the task of line <paramref name="line"/> under the idempotency key <c>{prefix}-{line}</c>, through the nodes
    /// that are up, round-robin by line; a request that fails (cut off by a kill, refused while a node leaves) goes to
    /// the next node, and its key keeps the resent request from ever being a second task. Returns the task's id.
    /// </summary>
    public async Task<string> SubmitAsync(string prefix, int line)
    {
        for (var attempt = 0; ; attempt++)
        {
            var up = Up;
            var node = up[(line + attempt) % up.Count];
            try
            {
                var response = await node.Http.PostAsJsonAsync("/v1/tasks",
                    Requests.Image($"{prefix} {line}", ("idempotencyKey", $"{prefix}-{line}")), OrchestratorServer.Json);
                if (response.IsSuccessStatusCode) return (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id;
                if (attempt > 20) Assert.Fail($"line {line}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            catch (HttpRequestException) when (attempt < 20) { }
            catch (TaskCanceledException) when (attempt < 20) { }
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until every task of <paramref name="ids"/> has ended, as the nodes that are up answer; returns each one's status.</summary>
    public async Task<Dictionary<string, TaskLifecycle>> WaitForEndAsync(IEnumerable<string> ids, TimeSpan within)
    {
        var pending = ids.ToHashSet();
        var statuses = new Dictionary<string, TaskLifecycle>();
        var asked = 0;
        await Eventually.Until(async () =>
        {
            var up = Up;
            foreach (var id in pending.ToList())
            {
                var view = await up[asked++ % up.Count].Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json);
                if (view!.Status.IsTerminal()) { statuses[id] = view.Status; pending.Remove(id); }
            }
            return pending.Count;
        }, left => left == 0, within, left => $"every task to end ({left} left, e.g. {string.Join(", ", pending.Take(3))})\n{Tail()}");
        return statuses;
    }

    /// <summary>
    /// What the simulator saw of <paramref name="tasks"/> tasks: each submitted once, and never more than the account's
    /// <paramref name="qps"/> in any rolling second, nor a refusal for its QPS or concurrency.
    /// </summary>
    public static void AssertEachTaskOnceWithinLimits(SimulatorStats stats, int tasks, int qps)
    {
        Assert.Equal(0, stats.DuplicateExternalIds);
        Assert.Equal(tasks, stats.Tasks);
        Assert.True(stats.PeakRequestsPerSecond <= qps, $"peak {stats.PeakRequestsPerSecond} calls in a rolling second, limit {qps}");
        Assert.Equal(0, stats.QpsExceededAnswers);
        Assert.Equal(0, stats.ConcurrencyLimitAnswers);
    }

    /// <summary>The last lines of every node, for a failure message.</summary>
    public string Tail(int lines = 15) => string.Join("\n", Nodes.Select((n, i) => n is null
        ? ""
        : $"--- node {i} ---\n" + string.Join("\n", n.Output.TakeLast(lines))));

    /// <summary>
    /// Every node's whole output, kept as test artifacts (<c>ORCHESTRATOR_TEST_ARTIFACTS</c>, which .ci/run sets) for a
    /// failure a tail does not explain; nothing is kept without the variable.
    /// </summary>
    private void KeepLogs()
    {
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_ARTIFACTS") is not { Length: > 0 } artifacts) return;
        Directory.CreateDirectory(artifacts);
        for (var i = 0; i < Nodes.Count; i++)
            if (Nodes[i] is { } node) File.WriteAllLines(Path.Combine(artifacts, $"cluster-{_name}-node{i}.log"), node.Output);
    }

    public void Dispose()
    {
        foreach (var node in Nodes) node?.Dispose();
        KeepLogs();
    }
}
