using Orchestrator.Cli.Commands;
using Orchestrator.Simulator;
using Orchestrator.Tests.Security;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Cli;

/// <summary>
/// The CLI against a server with API keys: without a key a command fails with the 401's message; with <c>--api-key</c>
/// or <c>ORCHESTRATOR_API_KEY</c> it works, downloads included. In the CLI collection: the environment variable is
/// process-wide, and no other CLI test runs meanwhile.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class CliApiKeyTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SimulatorServer _sim = null!;
    private OrchestratorServer _server = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { ImageMinSeconds = 0.2, ImageMaxSeconds = 0.5 });
        _server = await OrchestratorServer.StartAsync(_dir.SqliteConnectionString(), _sim.BaseUrl, Keys.ServerArgs);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _sim.DisposeAsync();
        _dir.Dispose();
    }

    private Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(["--server", _server.Http.BaseAddress!.ToString(), .. args]);

    [Fact]
    public async Task Without_a_key_a_command_fails_with_the_401_and_with_one_from_the_flag_or_the_environment_it_works()
    {
        var refused = await RunAsync("list");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("401 API key required", refused.Error);
        Assert.Contains("--api-key", refused.Error);

        var submitted = await RunAsync("submit", "--provider", "simulator", "--kind", "text-to-image", "--model", "kling-v1-5",
            "--prompt", "with a key", "--wait", "--poll-interval", "0.2", "--json", "--api-key", Keys.AcmeSubmit);
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        var view = Assert.Single(submitted.JsonLines);
        Assert.Equal("acme", view.GetProperty("metadata").GetProperty("tenant").GetString());
        var id = view.GetProperty("id").GetString()!;

        Environment.SetEnvironmentVariable(GlobalOptions.ApiKeyVariable, Keys.AcmeRead);
        try
        {
            var listed = await RunAsync("list", "--json");
            Assert.True(listed.ExitCode == 0, listed.ToString());
            Assert.Contains(id, listed.Out);
            // A read key may not cancel: the 403 says which role it would take.
            var cancel = await RunAsync("cancel", id);
            Assert.Equal(1, cancel.ExitCode);
            Assert.Contains("403", cancel.Error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(GlobalOptions.ApiKeyVariable, null);
        }

        // Another tenant's key: the task does not exist for it.
        var other = await RunAsync("get", id, "--api-key", Keys.GlobexSubmit);
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("404", other.Error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080/v1/tasks", true)]
    [InlineData("http://127.0.0.1:5080/v1/tasks/abc/results/0", true)]
    [InlineData("https://cdn.provider.example/result.png", false)]
    [InlineData("http://127.0.0.1:5081/v1/tasks", false)]
    [InlineData("https://127.0.0.1:5080/v1/tasks", false)]
    public async Task The_key_goes_to_the_server_only_never_to_a_providers_result_url(string url, bool sent)
    {
        var inner = new Recorder();
        using var client = new HttpClient(new Orchestrator.Cli.Http.ServerKeyHandler(new Uri("http://127.0.0.1:5080/"), Keys.AcmeRead) { InnerHandler = inner });
        await client.GetAsync(url);
        Assert.Equal(sent ? $"Bearer {Keys.AcmeRead}" : null, inner.Authorization);
    }

    private sealed class Recorder : HttpMessageHandler
    {
        public string? Authorization { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorization = request.Headers.Authorization?.ToString();
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
