using System.Net;
using System.Net.Http.Json;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.Tasks;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>
/// What an operator reads on the console of <c>dotnet run</c> (the server as its own process, default configuration):
/// what it runs on, one line per task that ends, and no line per HTTP request unless asked for.
/// </summary>
public sealed class ServerLogTests
{
    private static string[] Args(TempDirectory dir, params string[] extra) =>
    [
        $"--Orchestrator:Storage:ConnectionString={dir.SqliteConnectionString()}",
        $"--Orchestrator:Results:Directory={Path.Combine(dir.Path, "results")}",
        "--Orchestrator:Tasks:MaxSubmitAttempts=1",
        "--Simulator:ImageMinSeconds=0.2",
        "--Simulator:ImageMaxSeconds=0.4",
        .. extra,
    ];

    [Fact]
    public async Task The_server_names_its_journal_providers_and_url_at_start_and_logs_each_task_end_but_no_requests()
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        using var server = await ServerProcess.StartAsync(port, Args(dir));

        // The next provider call answers 500: with one submit attempt allowed, the first task fails; the second succeeds.
        var fault = await server.Http.PostAsync("/simulator/_sim/faults?kind=ServerError&count=1", null);
        Assert.Equal(HttpStatusCode.NoContent, fault.StatusCode);
        var failed = await EndAsync(server, "fails");
        var succeeded = await EndAsync(server, "succeeds");
        Assert.Equal(TaskLifecycle.Failed, failed.Status);
        Assert.Equal(TaskLifecycle.Succeeded, succeeded.Status);

        var output = await Eventually.Until(() => Task.FromResult(server.Output),
            lines => lines.Any(l => l.Contains(succeeded.Id)), TimeSpan.FromSeconds(10), "the task-end lines");
        var start = Assert.Single(output, l => l.Contains("Orchestrator listening on"));
        Assert.Contains($"http://127.0.0.1:{port}", start);
        Assert.Contains(Path.Combine(dir.Path, "journal.db"), start);
        Assert.Contains("simulator (simulator", start);
        Assert.Contains("dmxapi (dmxapi", start);

        var failedLine = Assert.Single(output, l => l.Contains(failed.Id));
        Assert.Contains("failed on simulator", failedLine);
        Assert.Contains(failed.Error!.Code, failedLine);
        var succeededLine = Assert.Single(output, l => l.Contains(succeeded.Id));
        Assert.Matches(@"succeeded on simulator .*after \d+\.\d s", succeededLine);

        Assert.DoesNotContain(output, l => l.Contains("Request starting") || l.Contains("Request finished"));
    }

    [Fact]
    public async Task Request_lines_are_one_setting_away()
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        using var server = await ServerProcess.StartAsync(port, Args(dir, "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information"));

        await server.Http.GetAsync("/v1/tasks");

        await Eventually.Until(() => Task.FromResult(server.Output), lines => lines.Any(l => l.Contains("Request finished") && l.Contains("/v1/tasks")),
            TimeSpan.FromSeconds(10), "a request line");
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_500_problem_that_names_nothing_inside_and_its_trace_id_finds_the_cause_in_the_log()
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        using var server = await ServerProcess.StartAsync(port, Args(dir));
        // A result file's record that is not what the store wrote (a damaged disk, a hand edit): reading it throws
        // JsonException, which no endpoint expects.
        var id = TaskIds.New();
        var results = Path.Combine(dir.Path, "results");
        Directory.CreateDirectory(Path.Combine(results, id));
        File.WriteAllText(Path.Combine(results, id, "0.json"), "{ not json");

        var response = await server.Http.GetAsync($"/v1/tasks/{id}/results/0");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InternalServerError, $"got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(results, text);
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain(" at ", text);
        var traceId = (string?)System.Text.Json.Nodes.JsonNode.Parse(text)!["traceId"];
        Assert.False(string.IsNullOrEmpty(traceId), text);
        var output = await Eventually.Until(() => Task.FromResult(server.Output),
            lines => lines.Any(l => l.Contains("JsonException")), TimeSpan.FromSeconds(10), "the failure in the log");
        Assert.Contains(output, l => l.Contains(traceId!) && l.Contains($"/v1/tasks/{id}/results/0"));
    }

    [Fact]
    public void A_journal_is_named_without_its_password()
    {
        var described = StorageConfig.Describe(new StorageOptions { Provider = "PostgreSql", ConnectionString = "Host=db;Username=orch;Password=hunter2;Database=jobs" });
        Assert.Contains("host=db", described, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("database=jobs", described, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("password=***", described, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hunter2", described);
        Assert.Equal("SQLite " + Path.GetFullPath("data/x.db"), StorageConfig.Describe(new StorageOptions { ConnectionString = "Data Source=data/x.db" }));
    }

    private static async Task<TaskView> EndAsync(ServerProcess server, string prompt)
    {
        var response = await server.Http.PostAsJsonAsync("/v1/tasks", Requests.Image(prompt), OrchestratorServer.Json);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<TaskView>(OrchestratorServer.Json))!.Id;
        return await Eventually.Until(async () => (await server.Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", OrchestratorServer.Json))!,
            v => v.Status.IsTerminal(), TimeSpan.FromSeconds(30), $"task {id} to end");
    }
}
