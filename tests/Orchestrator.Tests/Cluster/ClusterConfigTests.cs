using Orchestrator.Cluster;
using Orchestrator.Hosting;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cluster;

/// <summary>Cluster mode's settings: off by default, and a wrong one stops the start with its key named.</summary>
public sealed class ClusterConfigTests
{
    private static OrchestratorOptions Clustered(Action<OrchestratorOptions>? change = null)
    {
        var options = new OrchestratorOptions
        {
            Storage = new StorageOptions { Provider = "PostgreSql", ConnectionString = "Host=127.0.0.1;Database=o" },
            Cluster = new ClusterModeOptions { Enabled = true, Port = 4053, SeedNodes = ["akka.tcp://orchestrator@127.0.0.1:4053"] },
        };
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public void Cluster_mode_is_off_by_default_and_then_nothing_is_checked()
    {
        var options = new OrchestratorOptions();
        Assert.False(options.Cluster.Enabled);
        Assert.Empty(ClusterConfig.Problems(options));
    }

    [Fact]
    public void A_node_on_PostgreSQL_with_seed_nodes_in_the_orchestrator_system_is_accepted() =>
        Assert.Empty(ClusterConfig.Problems(Clustered()));

    // Before: refused ("sleeping tasks are not sharded yet"); their wake-ups are rows of the shared database now.
    [Fact]
    public void A_node_whose_tasks_sleep_through_long_waits_is_accepted() =>
        Assert.Empty(ClusterConfig.Problems(Clustered(o => o.Tasks.SleepWhenWaitingSeconds = 10)));

    [Theory]
    [InlineData("storage", "Orchestrator:Storage:Provider = PostgreSql")]
    [InlineData("no-seeds", "Orchestrator:Cluster:SeedNodes must list")]
    [InlineData("seed-format", "Orchestrator:Cluster:SeedNodes has 'orchestrator@host'")]
    [InlineData("seed-system", "the actor system is named 'orchestrator'")]
    [InlineData("port", "Orchestrator:Cluster:Port must be a port number")]
    public void Each_wrong_setting_is_named_by_its_key(string wrong, string expected)
    {
        var options = Clustered(o =>
        {
            switch (wrong)
            {
                case "storage": o.Storage = new StorageOptions(); break;
                case "no-seeds": o.Cluster.SeedNodes = []; break;
                case "seed-format": o.Cluster.SeedNodes = ["orchestrator@host"]; break;
                case "seed-system": o.Cluster.SeedNodes = ["akka.tcp://other@127.0.0.1:4053"]; break;
                case "port": o.Cluster.Port = 70000; break;
            }
        });
        Assert.Contains(ClusterConfig.Problems(options), p => p.Contains(expected));
    }

    [Fact]
    public async Task The_server_in_cluster_mode_on_SQLite_refuses_to_start_and_names_the_storage_key()
    {
        using var dir = new TempDirectory();
        var (exitCode, output) = await ServerProcess.RunUntilExitAsync(TimeSpan.FromSeconds(60),
            $"--Orchestrator:Storage:ConnectionString={dir.SqliteConnectionString()}",
            $"--Orchestrator:Results:Directory={Path.Combine(dir.Path, "results")}",
            "--Orchestrator:Cluster:Enabled=true",
            "--Orchestrator:Cluster:SeedNodes:0=akka.tcp://orchestrator@127.0.0.1:4053");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(output, l => l.Contains("Refusing to start"));
        Assert.Contains("Orchestrator:Storage:Provider = PostgreSql", line);
        Assert.DoesNotContain(output, l => l.Contains("Unhandled exception"));
    }
}
