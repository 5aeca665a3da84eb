using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Orchestrator.Hosting;

namespace Orchestrator.Cluster;

/// <summary>Cluster mode's actor-system set-up: remoting on the configured address, the seed nodes, the split-brain resolver.</summary>
public static class ClusterHosting
{
    /// <summary>Largest message between nodes: a batch chunk of 1,000 lines of long prompts.</summary>
    public const int MaxFrameBytes = 16 * 1024 * 1024;

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
            // A batch upload's chunk (up to 1,000 lines) goes to the batch singleton in one message: above remoting's
            // default 128 kB frame it would be dropped.
            .AddHocon($"akka.remote.dot-netty.tcp {{ maximum-frame-size = {MaxFrameBytes}b, send-buffer-size = {MaxFrameBytes}b, receive-buffer-size = {MaxFrameBytes}b }}",
                HoconAddMode.Prepend)
            .WithCustomSerializer("orchestrator-cluster", ClusterMessageSerializer.BoundTypes, system => new ClusterMessageSerializer(system));
    }
}
