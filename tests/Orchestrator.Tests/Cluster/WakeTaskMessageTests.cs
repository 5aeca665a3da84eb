using Orchestrator.Cluster;
using Orchestrator.Tasks;
using Orchestrator.Tasks.Lifecycle;

namespace Orchestrator.Tests.Cluster;

/// <summary>The waker's wake crosses nodes: the task it starts elsewhere must get the polling progress it slept with.</summary>
public sealed class WakeTaskMessageTests
{
    [Fact]
    public void A_wake_keeps_its_resume_across_nodes()
    {
        var at = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var wake = new WakeTask("0193f2a4c5d6", new TaskResume(at, at.AddSeconds(-1), TaskLifecycle.Processing, 7, 2, 1, at.AddSeconds(-30)));
        var serializer = new ClusterMessageSerializer(null!);

        var back = serializer.FromBinary(serializer.ToBinary(wake), serializer.Manifest(wake));

        Assert.Equal(wake, back);
    }
}
