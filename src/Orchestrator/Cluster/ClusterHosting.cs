using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Orchestrator.Hosting;

namespace Orchestrator.Cluster;

/// <summary>Cluster mode's actor-system set-up: remoting on the configured address, the seed nodes, the split-brain resolver.</summary>
public static class ClusterHosting
{
    /// <summary>
    /// With <see cref="ClusterModeOptions.Enabled"/>, makes the actor system a cluster node: Akka.Remote on
    /// <see cref="ClusterModeOptions.Hostname"/>:<see cref="ClusterModeOptions.Port"/>, joining through
    /// <see cref="ClusterModeOptions.SeedNodes"/>, keep-majority split-brain resolution. Without it, nothing changes:
    /// a single node stays a local actor system. Throws when the settings are wrong, naming each key.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrchestratorCluster(this AkkaConfigurationBuilder builder, OrchestratorOptions options)
    {
        var cluster = options.Cluster;
        if (!cluster.Enabled) return builder;
        ClusterConfig.EnsureValid(options);
        // Keep-majority: after a node crashes, the larger side stays up and downs the rest; with three nodes one crash
        // leaves two of three working. Down-all-when-unstable would stop every node during the flapping it guards
        // against, and keep-oldest hinges on one node. An even split (2 of 4) downs the side without the lowest address.
        var stableAfter = $"{Math.Round(cluster.DownUnreachableAfterSeconds, 3).ToString(System.Globalization.CultureInfo.InvariantCulture)}s";
        return builder
            .WithRemoting(new RemoteOptions { HostName = cluster.Hostname, Port = cluster.Port })
            .WithClustering(new ClusterOptions { SeedNodes = cluster.SeedNodes.ToArray(), SplitBrainResolver = new KeepMajorityOption() })
            .AddHocon($"akka.cluster.split-brain-resolver.stable-after = {stableAfter}", HoconAddMode.Prepend)
            .WithCustomSerializer("orchestrator-cluster", ClusterMessageSerializer.BoundTypes, system => new ClusterMessageSerializer(system));
    }
}
