using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Orchestrator.Bench;

/// <summary>When a started server first answered anything, and when <c>/healthz</c> first answered 200; seconds from its process start.</summary>
public sealed record ServerStart(double FirstAnswerSeconds, double ReadySeconds);

/// <summary>
/// <c>dotnet Orchestrator.Server.dll</c> in a child process on a loopback port, with its journal in a SQLite file of the
/// scenario's directory and its <c>simulator</c> account pointed at a provider outside it (<see cref="BenchSimulator"/>):
/// the server's memory and start-up are then its own. Driven only over HTTP.
/// </summary>
public sealed class ServerChild : IDisposable
{
    private readonly IReadOnlyList<string> _args;
    private readonly string _workingDirectory;

    private ServerChild(DotnetChild process, string baseUrl, IReadOnlyList<string> args, string workingDirectory)
    {
        Process = process;
        _args = args;
        _workingDirectory = workingDirectory;
        // Uploads and waits can be long; each caller gives up on its own clock.
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(10) };
    }

    public DotnetChild Process { get; }
    public HttpClient Http { get; }

    /// <param name="dataDirectory">Journal (<c>orchestrator.db</c>), result files and callback secret go here.</param>
    /// <param name="simulatorBaseUrl">The provider the <c>simulator</c> account calls.</param>
    /// <param name="qps">The account's QPS.</param>
    /// <param name="settings">More configuration (<c>Key=Value</c>, e.g. <c>Orchestrator:Tasks:ImageDeadlineSeconds=86400</c>), applied last.</param>
    public static ServerChild Start(string dataDirectory, string simulatorBaseUrl, double qps, IEnumerable<string> settings)
    {
        string[] args =
        [
            $"--Orchestrator:Storage:ConnectionString=Data Source={DatabaseFile(dataDirectory)}",
            $"--Orchestrator:Providers:simulator:BaseUrl={simulatorBaseUrl}",
            string.Create(CultureInfo.InvariantCulture, $"--Orchestrator:Providers:simulator:Qps={qps}"),
            "--Simulator:InProcess=false",
            $"--Orchestrator:Results:Directory={Path.Combine(dataDirectory, "results")}",
            $"--Orchestrator:Callbacks:SecretFile={Path.Combine(dataDirectory, "callback-secret")}",
            // One log line per task end at Information: 200,000 of them would measure the console, not the orchestrator.
            "--Orchestrator:AkkaLogLevel=Warning",
            "--Logging:LogLevel:Default=Warning",
            .. settings.Select(s => "--" + s),
        ];
        return StartWith(args, dataDirectory);
    }

    /// <summary>A server with exactly these arguments (a cluster node's, say), working in <paramref name="workingDirectory"/>.</summary>
    public static ServerChild StartWithArgs(string workingDirectory, IEnumerable<string> args) => StartWith([.. args], workingDirectory);

    public static string DatabaseFile(string dataDirectory) => Path.Combine(dataDirectory, "orchestrator.db");

    /// <summary>A new process with the same configuration and files (on a new port), as an operator restarts a node.</summary>
    public ServerChild StartAgain() => StartWith(_args.Where(a => !a.StartsWith("--Urls=", StringComparison.Ordinal)).ToArray(), _workingDirectory);

    /// <summary>Polls <c>/healthz</c> every 10 ms until it answers 200.</summary>
    public async Task<ServerStart> WaitReadyAsync(TimeSpan timeout)
    {
        double? firstAnswer = null;
        using var probe = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (Process.HasExited) throw new InvalidOperationException("The server exited while starting:" + Environment.NewLine + Process.Tail);
            try
            {
                using var response = await probe.GetAsync("/healthz");
                var now = Stopwatch.GetElapsedTime(Process.StartedTicks).TotalSeconds;
                firstAnswer ??= now;
                if (response.StatusCode == HttpStatusCode.OK) return new ServerStart(firstAnswer.Value, now);
            }
            catch (HttpRequestException) { /* not listening yet */ }
            catch (TaskCanceledException) { /* listening but too busy to answer within 5 s */ }
            if (Stopwatch.GetElapsedTime(Process.StartedTicks) > timeout)
                throw new TimeoutException($"/healthz did not answer 200 within {timeout.TotalSeconds:0} s:" + Environment.NewLine + Process.Tail);
            await Task.Delay(10);
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    /// <summary>Unfinished tasks per account as <c>GET /v1/providers</c> reports them, summed.</summary>
    public async Task<int> UnfinishedTasksAsync()
    {
        var list = await GetJsonAsync("/v1/providers");
        return list.GetProperty("accounts").EnumerateArray().Sum(a => a.TryGetProperty("unfinishedTasks", out var n) ? n.GetInt32() : 0);
    }

    public void Kill() => Process.Kill();

    public void Dispose()
    {
        Http.Dispose();
        Process.Dispose();
    }

    private static ServerChild StartWith(string[] args, string workingDirectory)
    {
        var baseUrl = $"http://127.0.0.1:{DotnetChild.FreePort()}";
        string[] all = [$"--Urls={baseUrl}", .. args];
        return new ServerChild(DotnetChild.Start("Orchestrator.Server", workingDirectory, all), baseUrl, all, workingDirectory);
    }
}
