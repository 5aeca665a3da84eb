namespace Orchestrator.Hosting;

/// <summary>
/// Cluster mode (<c>Orchestrator:Cluster</c>), off by default: several nodes on one PostgreSQL database share the tasks
/// (Akka.Cluster.Sharding) and each provider account's limits. The actor system is named <c>orchestrator</c>, so every
/// seed node reads <c>akka.tcp://orchestrator@host:port</c>.
/// </summary>
public sealed class ClusterModeOptions
{
    /// <summary>Joins a cluster instead of running alone. Needs <c>Orchestrator:Storage:Provider = PostgreSql</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The host name or address other nodes reach this one at (in Docker Compose, the service's name).</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>The port this node's Akka.Remote listens on (not the HTTP port).</summary>
    public int Port { get; set; } = 4053;

    /// <summary>
    /// The nodes a starting node asks to join, as <c>akka.tcp://orchestrator@host:port</c>. The first one, started alone,
    /// forms the cluster; list the same seeds on every node.
    /// </summary>
    public List<string> SeedNodes { get; set; } = [];

    /// <summary>
    /// Seconds a node must stay unreachable before the split-brain resolver (lease-majority) downs it and its shards,
    /// tasks included, move to the surviving nodes. Akka's default is 20; shorter moves work sooner but a long
    /// garbage-collection pause or a network blip may down a live node.
    /// </summary>
    public double DownUnreachableAfterSeconds { get; set; } = 20;
}
