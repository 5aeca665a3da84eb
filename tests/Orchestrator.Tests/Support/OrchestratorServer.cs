using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orchestrator.Server;
using Orchestrator.Tasks;

namespace Orchestrator.Tests.Support;

/// <summary>The real HTTP server (same Program as <c>dotnet run</c>) on a loopback port, with its own journal (a SQLite file or a PostgreSQL database).</summary>
public sealed class OrchestratorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OrchestratorServer(WebApplication app)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    /// <summary>The same process's embedding API, for waiting on many tasks without polling HTTP.</summary>
    public Orchestrator.Hosting.IOrchestrator Orchestrator => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
        .GetRequiredService<Orchestrator.Hosting.IOrchestrator>(_app.Services);

    /// <summary>The server's DI container, for services a test sets up directly (e.g. a file in the result store, a callback token).</summary>
    public IServiceProvider Services => _app.Services;

    public static JsonSerializerOptions Json => ApiJson.Options;

    /// <summary>Starts the server on a SQLite file against a standalone simulator; <paramref name="extra"/> are more <c>--key=value</c> settings.</summary>
    public static Task<OrchestratorServer> StartAsync(string connectionString, string simulatorBaseUrl, params string[] extra) =>
        StartAsync([$"--Orchestrator:Storage:ConnectionString={connectionString}"], ResultsBeside(connectionString), simulatorBaseUrl, extra);

    /// <summary>Starts the server on a test's store (SQLite or PostgreSQL), its result files in the store's folder.</summary>
    public static Task<OrchestratorServer> StartAsync(TestStore store, string simulatorBaseUrl, params string[] extra) =>
        StartAsync(store.ServerArgs, System.IO.Path.Combine(store.Dir.Path, "results"), simulatorBaseUrl, extra);

    private static async Task<OrchestratorServer> StartAsync(string[] storage, string results, string simulatorBaseUrl, string[] extra)
    {
        string[] args =
        [
            "--Urls=http://127.0.0.1:0",
            .. storage,
            $"--Orchestrator:Providers:simulator:BaseUrl={simulatorBaseUrl}",
            "--Simulator:InProcess=false",
            "--Orchestrator:Polling:ImageFloorSeconds=0.2",
            "--Orchestrator:Polling:VideoFloorSeconds=0.2",
            "--Orchestrator:Polling:CapSeconds=1",
            "--Orchestrator:Polling:ImagePriorSeconds=0.2",
            "--Orchestrator:Polling:VideoPriorSeconds=0.2",
            "--Logging:LogLevel:Default=Warning",
            $"--Orchestrator:Results:Directory={results}",
            "--Orchestrator:Results:RetryBaseSeconds=0.05",
            .. extra,
        ];
        var app = ServerProgram.Build(args);
        await app.StartAsync();
        var server = new OrchestratorServer(app);
        await Eventually.Until(async () => (await server.Http.GetAsync("/healthz")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(30), "healthz");
        return server;
    }

    /// <summary>Each test server keeps its result files beside its own journal file.</summary>
    private static string ResultsBeside(string connectionString) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource)!, "results");

    public Task<HttpResponseMessage> SubmitAsync(object body) => Http.PostAsJsonAsync("/v1/tasks", body, Json);

    /// <summary>Submits a task that must be accepted and returns its id.</summary>
    public async Task<string> SubmitForIdAsync(object body)
    {
        var response = await SubmitAsync(body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TaskView>(Json))!.Id;
    }

    public async Task<TaskView> GetAsync(string id) =>
        (await Http.GetFromJsonAsync<TaskView>($"/v1/tasks/{id}", Json))!;

    public Task<TaskView> WaitForEndAsync(string id, TimeSpan? timeout = null) =>
        Eventually.Until(() => GetAsync(id), v => v.Status.IsTerminal(), timeout ?? TimeSpan.FromSeconds(60), $"task {id} to end");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
