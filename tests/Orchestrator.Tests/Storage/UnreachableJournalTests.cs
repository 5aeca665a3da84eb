using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Storage;

/// <summary>A PostgreSQL journal the server cannot reach when it starts: a wrong host or port, a database not up yet.</summary>
public sealed class UnreachableJournalTests
{
    [Fact]
    public async Task The_server_waits_a_while_for_the_database_then_stops_naming_it_and_why_without_its_password()
    {
        using var dir = new TempDirectory();
        var closedPort = ServerProcess.FreePort(); // nothing listens there

        var (exitCode, output) = await ServerProcess.RunUntilExitAsync(TimeSpan.FromSeconds(30),
            "--Orchestrator:Storage:Provider=PostgreSql",
            $"--Orchestrator:Storage:ConnectionString=Host=127.0.0.1;Port={closedPort};Username=orchestrator;Password=hunter2-must-not-show;Database=jobs",
            "--Orchestrator:Storage:StartupWaitSeconds=2",
            $"--Orchestrator:Results:Directory={Path.Combine(dir.Path, "results")}");

        Assert.NotEqual(0, exitCode);
        var all = string.Join("\n", output);
        Assert.Contains($"port={closedPort}", all, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("database=jobs", all, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Failed to connect", all);
        Assert.DoesNotContain("hunter2", all);
    }
}
