using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cluster;

/// <summary>
/// Cluster mode as an operator runs it, as processes on 127.0.0.1: nodes of one cluster on one PostgreSQL database,
/// against a standalone simulator. Each node has its own HTTP and remoting ports and its own result folder; they share
/// the seed list, the callback secret and the key ring.
/// </summary>
public sealed class ClusterNodes : IDisposable
{
    private readonly TestStore _store;
    private readonly string[] _extra;
    private readonly int[] _remotingPorts;

    public ClusterNodes(TestStore store, string simulatorBaseUrl, int size, params string[] extra)
    {
        _store = store;
        _remotingPorts = Enumerable.Range(0, size).Select(_ => ServerProcess.FreePort()).ToArray();
        _extra = [$"--Orchestrator:Providers:simulator:BaseUrl={simulatorBaseUrl}", .. extra];
    }

    public List<ServerProcess?> Nodes { get; } = [];

    /// <summary>Starts node <paramref name="index"/> (0-based; node 0 is the first seed, which forms the cluster alone).</summary>
    public async Task<ServerProcess> StartAsync(int index)
    {
        // A node starts its journal, read model and cluster membership: slower than a single node on a loaded machine.
        var node = await ServerProcess.StartAsync(ServerProcess.FreePort(), TimeSpan.FromSeconds(150), Args(index));
        while (Nodes.Count <= index) Nodes.Add(null);
        Nodes[index] = node;
        return node;
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
        "--Orchestrator:AkkaLogLevel=Warning",
        .. _extra,
    ];

    /// <summary>The last lines of every node, for a failure message.</summary>
    public string Tail(int lines = 15) => string.Join("\n", Nodes.Select((n, i) => n is null
        ? ""
        : $"--- node {i} ---\n" + string.Join("\n", n.Output.TakeLast(lines))));

    public void Dispose()
    {
        foreach (var node in Nodes) node?.Dispose();
    }
}
