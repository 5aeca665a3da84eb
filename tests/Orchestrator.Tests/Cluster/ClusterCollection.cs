namespace Orchestrator.Tests.Cluster;

/// <summary>
/// The multi-process cluster tests run alone, one after the other, after the parallel ones: each runs two or three
/// server processes at full load, which would distort tests that measure real timing, and be distorted by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}
