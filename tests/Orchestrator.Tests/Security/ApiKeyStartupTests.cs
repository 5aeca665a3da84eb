using System.Net;
using System.Net.Http.Headers;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Security;

/// <summary>The server as its own process: when keys are required, what an open server says, and that keys never reach the log.</summary>
public sealed class ApiKeyStartupTests
{
    private static string[] Args(TempDirectory dir, params string[] extra) =>
    [
        $"--Orchestrator:Storage:ConnectionString={dir.SqliteConnectionString()}",
        $"--Orchestrator:Results:Directory={Path.Combine(dir.Path, "results")}",
        .. extra,
    ];

    [Theory]
    [InlineData("http://0.0.0.0:{0}")]
    [InlineData("http://127.0.0.1:{0};http://[::]:{1}")]
    public async Task Listening_beyond_loopback_without_keys_the_server_refuses_to_start_and_names_the_setting(string urls)
    {
        using var dir = new TempDirectory();
        var bind = string.Format(urls, ServerProcess.FreePort(), ServerProcess.FreePort());
        var (exitCode, output) = await ServerProcess.RunUntilExitAsync(TimeSpan.FromSeconds(60), Args(dir, $"--Urls={bind}"));

        Assert.Equal(2, exitCode);
        var line = Assert.Single(output, l => l.Contains("Refusing to start"));
        Assert.Contains("Orchestrator:ApiKeys", line);
        Assert.Contains(bind.Split(';')[^1], line);
        Assert.DoesNotContain(output, l => l.Contains("Unhandled exception"));
        Assert.False(File.Exists(Path.Combine(dir.Path, "journal.db")), "nothing is created before the refusal");
    }

    [Fact]
    public async Task A_key_configured_wrong_stops_the_start_naming_the_setting_but_never_the_key()
    {
        using var dir = new TempDirectory();
        const string key = "a-perfectly-long-secret-key";
        var (exitCode, output) = await ServerProcess.RunUntilExitAsync(TimeSpan.FromSeconds(60),
            Args(dir, Keys.Key(0, "ops", key, null, "root")));

        Assert.Equal(2, exitCode);
        Assert.Contains(output, l => l.Contains("Orchestrator:ApiKeys:0:Role"));
        Assert.DoesNotContain(output, l => l.Contains(key));
    }

    [Fact]
    public async Task On_loopback_without_keys_the_server_runs_open_and_says_so_once()
    {
        using var dir = new TempDirectory();
        using var server = await ServerProcess.StartAsync(ServerProcess.FreePort(), Args(dir));

        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/v1/tasks")).StatusCode);
        var output = await Eventually.Until(() => Task.FromResult(server.Output), lines => lines.Any(l => l.Contains("No API keys configured")),
            TimeSpan.FromSeconds(10), "the open-server warning");
        Assert.Single(output, l => l.Contains("No API keys configured"));
        Assert.Contains("Orchestrator:ApiKeys", output.Single(l => l.Contains("No API keys configured")));
    }

    [Fact]
    public async Task With_keys_on_every_address_it_starts_checks_keys_and_never_writes_a_key_to_its_log()
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        // Every log line on, request lines included: a key that reached any logger would show.
        using var server = await ServerProcess.StartAsync(port, Args(dir, [$"--Urls=http://0.0.0.0:{port}", "--Logging:LogLevel:Default=Trace",
            "--Logging:LogLevel:Microsoft.AspNetCore=Trace", "--Orchestrator:AkkaLogLevel=Debug", .. Keys.ServerArgs]));
        const string wrong = "wrong-key-that-must-not-be-logged";

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync("/v1/tasks")).StatusCode);
        foreach (var (key, status) in new[] { (wrong, HttpStatusCode.Unauthorized), (Keys.AcmeRead, HttpStatusCode.Forbidden), (Keys.AcmeSubmit, HttpStatusCode.Accepted) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks") { Content = System.Net.Http.Json.JsonContent.Create(Requests.Image("logged?")) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.Equal(status, (await server.Http.SendAsync(request)).StatusCode);
        }
        await Eventually.Until(() => Task.FromResult(server.Output), lines => lines.Any(l => l.Contains("Request finished")), TimeSpan.FromSeconds(10), "request lines");

        var output = server.Output;
        foreach (var key in new[] { wrong, Keys.Admin, Keys.AcmeSubmit, Keys.AcmeRead, Keys.GlobexSubmit })
            Assert.DoesNotContain(output, l => l.Contains(key));
    }
}
