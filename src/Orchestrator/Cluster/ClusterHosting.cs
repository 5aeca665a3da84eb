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
    /// <see cref="ClusterModeOptions.SeedNodes"/>, lease-majority split-brain resolution on a lock in the shared database. Without it, nothing changes:
    /// a single node stays a local actor system. Throws when the settings are wrong, naming each key.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrchestratorCluster(this AkkaConfigurationBuilder builder, OrchestratorOptions options)
    {
        var cluster = options.Cluster;
        if (!cluster.Enabled) return builder;
        ClusterConfig.EnsureValid(options);
        // Lease-majority, the lease a lock in the shared database (DatabaseLease): after a node crashes the larger side
        // stays up and downs the rest, as keep-majority would, but an even split (one of two nodes dead) is decided by who
        // takes the lock, which a dead node cannot: keep-majority kept the side with the lowest address even when that
        // node was the dead one, and the survivor downed itself. Keep-oldest fails two nodes the same way when the oldest
        // dies; down-all-when-unstable stops every node during the flapping it guards against.
        var stableAfter = $"{Math.Round(cluster.DownUnreachableAfterSeconds, 3).ToString(System.Globalization.CultureInfo.InvariantCulture)}s";
        return builder
            .WithRemoting(new RemoteOptions { HostName = cluster.Hostname, Port = cluster.Port })
            .WithClustering(new ClusterOptions { SeedNodes = cluster.SeedNodes.ToArray(), SplitBrainResolver = new LeaseMajorityOption { LeaseImplementation = DatabaseLeaseOption.Instance, LeaseName = "orchestrator-akka-sbr" } })
            .AddHocon($"akka.cluster.split-brain-resolver.stable-after = {stableAfter}", HoconAddMode.Prepend)
            .WithDatabaseLease()
            // A batch upload's chunk (up to 1,000 lines) goes to the batch singleton in one message: above remoting's
            // default 128 kB frame it would be dropped.
            .AddHocon($"akka.remote.dot-netty.tcp {{ maximum-frame-size = {MaxFrameBytes}b, send-buffer-size = {MaxFrameBytes}b, receive-buffer-size = {MaxFrameBytes}b }}",
                HoconAddMode.Prepend)
            .WithCustomSerializer("orchestrator-cluster", ClusterMessageSerializer.BoundTypes, system => new ClusterMessageSerializer(system));
    }

    private static AkkaConfigurationBuilder WithDatabaseLease(this AkkaConfigurationBuilder builder)
    {
        DatabaseLeaseOption.Instance.Apply(builder);
        return builder;
    }
}
