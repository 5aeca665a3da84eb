using System.Net.Http.Json;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Storage;

/// <summary>The server as an operator starts it on PostgreSQL: <c>Orchestrator:Storage:Provider=PostgreSql</c> and a connection string.</summary>
public sealed class PostgresServerTests
{
    [PostgresFact]
    public async Task The_start_line_names_the_database_without_its_password_and_tasks_run_on_the_in_process_simulator()
    {
        using var store = TestStores.Postgres();
        // The test server trusts every local connection, so the password is never checked: only whether it shows.
        var withPassword = store.ConnectionString + ";Password=hunter2-must-not-show";
        var port = ServerProcess.FreePort();
        using var server = await ServerProcess.StartAsync(port,
            "--Orchestrator:Storage:Provider=PostgreSql",
            $"--Orchestrator:Storage:ConnectionString={withPassword}",
            $"--Orchestrator:Results:Directory={Path.Combine(store.Dir.Path, "results")}",
            "--Simulator:ImageMinSeconds=0.2",
            "--Simulator:ImageMaxSeconds=0.4");

        var response = await server.Http.PostAsJsonAsync("/v1/tasks", Requests.Image("on postgres"), OrchestratorServer.Json);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id;
        var final = await Eventually.Until(async () => (await server.Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json))!,
            v => v.Status.IsTerminal(), TimeSpan.FromSeconds(30), $"task {id} to end");
        Assert.Equal(TaskLifecycle.Succeeded, final.Status);

        var output = await Eventually.Until(() => Task.FromResult(server.Output), lines => lines.Any(l => l.Contains(id)),
            TimeSpan.FromSeconds(10), "the task-end line");
        var start = Assert.Single(output, l => l.Contains("Orchestrator listening on"));
        Assert.Contains("journal PostgreSql host=127.0.0.1", start, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"database={store.Database}", start, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("password=***", start, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(output, l => l.Contains("hunter2"));
        // The in-process simulator keeps its tasks in a SQLite file beside the result folder, not in the operator's database.
        Assert.True(File.Exists(Path.Combine(store.Dir.Path, "simulator.db")));
    }
}
