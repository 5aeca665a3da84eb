using System.Text.RegularExpressions;
using Orchestrator.Hosting;

namespace Orchestrator.Cluster;

/// <summary>Checks <c>Orchestrator:Cluster</c> before anything starts, so a wrong setting stops the start with its key named.</summary>
internal static partial class ClusterConfig
{
    /// <summary>The actor system's name: part of every node's address, so every seed node must name it.</summary>
    public const string SystemName = "orchestrator";

    [GeneratedRegex(@"^akka\.tcp://(?<system>[^@/]+)@(?<host>[^:/]+):(?<port>\d{1,5})/?$")]
    private static partial Regex SeedAddress();

    /// <summary>What is wrong with the cluster settings, each naming its key; empty when cluster mode is off or right.</summary>
    public static IReadOnlyList<string> Problems(OrchestratorOptions options)
    {
        var cluster = options.Cluster;
        if (!cluster.Enabled) return [];
        var problems = new List<string>();
        if (!options.Storage.Provider.Equals("postgresql", StringComparison.OrdinalIgnoreCase)
            && !options.Storage.Provider.Equals("postgres", StringComparison.OrdinalIgnoreCase))
            problems.Add($"Orchestrator:Cluster:Enabled needs Orchestrator:Storage:Provider = PostgreSql (one database every node shares); it is '{options.Storage.Provider}'.");
        if (string.IsNullOrWhiteSpace(cluster.Hostname))
            problems.Add("Orchestrator:Cluster:Hostname must name the host other nodes reach this one at.");
        if (cluster.Port is < 1 or > 65535)
            problems.Add($"Orchestrator:Cluster:Port must be a port number (1-65535); it is {cluster.Port}.");
        if (cluster.SeedNodes.Count == 0)
            problems.Add($"Orchestrator:Cluster:SeedNodes must list at least one node, as akka.tcp://{SystemName}@host:port.");
        foreach (var seed in cluster.SeedNodes)
        {
            var m = SeedAddress().Match(seed ?? "");
            if (!m.Success || int.Parse(m.Groups["port"].Value) is < 1 or > 65535)
                problems.Add($"Orchestrator:Cluster:SeedNodes has '{seed}': write akka.tcp://{SystemName}@host:port.");
            else if (m.Groups["system"].Value != SystemName)
                problems.Add($"Orchestrator:Cluster:SeedNodes has '{seed}': the actor system is named '{SystemName}' (akka.tcp://{SystemName}@host:port).");
        }
        if (cluster.DownUnreachableAfterSeconds is < 1 or > 3600 || double.IsNaN(cluster.DownUnreachableAfterSeconds))
            problems.Add($"Orchestrator:Cluster:DownUnreachableAfterSeconds must be between 1 and 3600; it is {cluster.DownUnreachableAfterSeconds}.");
        // Sleeping tasks are allowed: their wake-ups are rows of the shared database (Cluster/TaskWakeUpTable).
        return problems;
    }

    /// <summary>Throws with every problem when the settings are wrong (for hosts that embed the library).</summary>
    public static void EnsureValid(OrchestratorOptions options)
    {
        if (Problems(options) is { Count: > 0 } problems)
            throw new InvalidOperationException("Cluster mode is misconfigured: " + string.Join(" ", problems));
    }
}
